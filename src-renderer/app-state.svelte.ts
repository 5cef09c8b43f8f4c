/* eslint-disable svelte/prefer-svelte-reactivity -- the sets here are replaced whole inside $state.raw, never mutated in place; the map is private bookkeeping */
import {
  base64ToBytes,
  type CsvColumn,
  type DatasetInfo,
  type DatasetSource,
  decodeF32,
  decodeI32,
  encodeI32,
  type EngineApi,
  type EngineEvent,
  type EpochLog,
  type ModelKind,
  type Progress,
  type ProjectionMetrics,
  type ProjectParams,
  type SessionView,
} from '../src-main/protocol.js';
import { categoryCounts, type PointStyle, robustRange, styleByCategory, styleByValue } from './map/coloring.js';
import { recentFolders, rememberFolder } from './recent-folders.js';
import { downloadBlob } from './session-files.js';

/** The hover card's content: one item as the engine sent it. */
export type ItemView = Extract<EngineEvent, { type: 'item' }>;

/** A projection method the engine offers. */
export type ProjectMethod = ProjectParams['method'];

/** What the status bar shows of a projection. */
export interface ProjectionInfo {
  method: string;
  iteration: number;
  kl?: number;
  seconds?: number;
  final: boolean;
  metrics?: ProjectionMetrics;
}

/** What the map's colours show. */
export type ColorBy = 'label' | 'error' | 'cluster';

/** Small images of some items, as the engine sent them. */
export interface Thumbnails {
  indices: number[];
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** The trained VAE's decoded latent plane, as the engine sent it. */
export type ManifoldView = Extract<EngineEvent, { type: 'manifold' }>;

/** A line for the message area. */
export interface Message {
  level: 'info' | 'warn' | 'error';
  text: string;
}

type Done = { resolve: (e: EngineEvent) => void; reject: (err: Error) => void };

/** Thumbnails shown for a selection (one engine request). */
export const SELECTION_THUMBNAILS = 120;

let nextId = 1;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${nextId++}`;
/** A kind-specific parameter the engine takes (0 to 1); an empty field (null) leaves the model's default. */
const inUnit = (v: number | null | undefined): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/**
 * The renderer's state and the workflow that drives the engine through the
 * protocol. Components read it and call its methods; nothing else talks to
 * the engine.
 */
export class AppState {
  backend = $state('starting…');
  backendNotes = $state<string[]>([]);
  versions = $state<Record<string, string>>({});
  dataset = $state<DatasetInfo | null>(null);
  labels = $state.raw<Int32Array>(new Int32Array(0));
  /** Images to load from the MNIST default. */
  subset = $state(5000);
  /** The engine's default kind (engine/models/recipe.ts DEFAULT_KIND): its codes map better than PCA's (issue 13). */
  model = $state<ModelKind>('wide');
  /** Epochs; null takes the model's default (for `wide`, a step budget chosen from the dataset's size). */
  epochs = $state<number | null>(null);
  /** Batch size; null lets the engine choose from the model's default and the dataset's size. */
  batchSize = $state<number | null>(null);
  /** Code (latent) size; null takes the model's default (fixed by the architecture for the conv kinds). */
  codeSize = $state<number | null>(null);
  /** Adam's learning rate; null takes the model's default. */
  learningRate = $state<number | null>(null);
  /** Denoising only: training noise level, 0–1; null = the model's default (0.5). */
  trainingNoise = $state<number | null>(null);
  /** Sparse only: L1 weight of the code penalty, 0–1; null = the model's default (1e-4). */
  l1 = $state<number | null>(null);
  /** Code size of the trained model, as the engine reports it. */
  trainedCodeSize = $state<number | null>(null);
  /** Kind of the trained model (the select may have moved on since). */
  trainedModel = $state<ModelKind | null>(null);
  /** Noise level of the denoising model's card; starts at the level the model was trained with. */
  noiseLevel = $state(0.5);
  /** The decoded latent plane, when the trained model is a VAE with a 2-d latent. */
  manifold = $state.raw<ManifoldView | null>(null);
  perplexity = $state(30);
  stage = $state<Progress['stage'] | null>(null);
  progress = $state<Progress | null>(null);
  epochLogs = $state<EpochLog[]>([]);
  /** Kind whose losses epochLogs holds: the one training now, else the trained one (the VAE's loss is not a BCE). */
  lossModel = $state<ModelKind | null>(null);
  meanError = $state<number | null>(null);
  positions = $state.raw<Float32Array | null>(null);
  projection = $state<ProjectionInfo | null>(null);
  /** The method of the main map. */
  method = $state<ProjectMethod>('tsne');
  /** A second projection shown beside the main one, linked by hover and selection. */
  compareMethod = $state<ProjectMethod | 'none'>('none');
  comparePositions = $state.raw<Float32Array | null>(null);
  compareProjection = $state<ProjectionInfo | null>(null);
  /** The method of the projection the engine holds now: exports use it. */
  engineMethod = $state<ProjectMethod | null>(null);
  private compareJob = '';
  /** Where the dataset comes from: the bundled MNIST or a folder on the engine's machine. */
  sourceKind = $state<'mnist' | 'folder'>('mnist');
  folderPath = $state('');
  /** Folder option: the size images are brought to; null = the most common size. */
  folderSize = $state<{ width: number; height: number } | null>(null);
  /** Folder option: convert colour images to grayscale. */
  forceGray = $state(false);
  /** Folders loaded before (this browser's memory), most recent first. */
  recentFolders = $state<string[]>(recentFolders());
  hidden = $state.raw<Set<number>>(new Set());
  colorBy = $state<ColorBy>('label');
  /** Per-item reconstruction error, once a model is trained. */
  errors = $state.raw<Float32Array | null>(null);
  kmeansK = $state(10);
  clusters = $state.raw<{ assignments: Int32Array; sizes: number[]; input: string; seconds: number } | null>(null);
  hiddenClusters = $state.raw<Set<number>>(new Set());
  clustering = $state(false);
  /** Selected items (ascending), from a lasso or box. */
  selection = $state.raw<Int32Array>(new Int32Array(0));
  thumbnails = $state.raw<Thumbnails | null>(null);
  searchResults = $state<{ query: string; indices: number[]; files?: string[] } | null>(null);
  /** A request for the map to fly to a point; seq makes repeats distinct. */
  focus = $state<{ index: number; seq: number } | null>(null);
  hoverIndex = $state(-1);
  pinned = $state(-1);
  item = $state<ItemView | null>(null);
  messages = $state<Message[]>([]);
  lastExport = $state<string | null>(null);
  /** Optional columns the CSV exports add (when the data for them exists). */
  csvColumns = $state<CsvColumn[]>([]);
  /** The last session the engine opened, with its view state; seq makes reopening the same file distinct. */
  openedSession = $state.raw<{ name: string; view: SessionView | null; seq: number } | null>(null);

  private readonly pending = new Map<string, Done>();
  private currentJob: string | null = null;
  /** Aborts the page's own part of the current job (e.g. a session upload), which the engine cannot cancel. */
  private localAbort: AbortController | null = null;
  private itemRequest = '';
  private exportRequest = '';
  private exportName = 'projections.csv';

  constructor(private readonly engine: EngineApi) {
    engine.onEvent((e) => this.onEvent(e));
    engine.hello();
  }

  get busy(): boolean {
    return this.stage !== null;
  }

  /** The range the error colour scale spans. */
  readonly errorRange = $derived(this.errors ? robustRange(this.errors) : { lo: 0, hi: 1 });

  /** Colours and visibility of every point for the current colouring. */
  readonly style: PointStyle | null = $derived.by(() => {
    const n = this.labels.length;
    if (this.colorBy === 'error' && this.errors?.length === n)
      return styleByValue(this.errors, this.errorRange.lo, this.errorRange.hi);
    if (this.colorBy === 'cluster' && this.clusters?.assignments.length === n)
      return styleByCategory(this.clusters.assignments, this.hiddenClusters);
    return n > 0 ? styleByCategory(this.labels, this.hidden) : null;
  });

  /** Points not hidden by a legend toggle. */
  readonly visibleCount = $derived.by(() => {
    const v = this.style?.visible;
    if (!v) return 0;
    let c = 0;
    for (let i = 0; i < v.length; i++) c += v[i];
    return c;
  });

  /** Counts per cluster, aligned with cluster ids. */
  readonly clusterCounts = $derived(
    this.clusters ? categoryCounts(this.clusters.assignments, this.clusters.sizes.length) : [],
  );

  /** Loads the MNIST subset, trains the chosen autoencoder, then runs t-SNE on its codes. */
  async trainAndProject(): Promise<void> {
    if (this.busy) return;
    this.messages = [];
    await this.workflow(async () => {
      if (this.needsReload())
        await this.run('load', (id) => this.engine.loadDataset({ jobId: id, source: this.source() }));
      this.epochLogs = [];
      this.lossModel = this.model;
      this.meanError = null;
      this.errors = null;
      this.clusters = null;
      this.manifold = null;
      if (this.colorBy !== 'label') this.colorBy = 'label';
      this.projection = null;
      this.comparePositions = null;
      this.compareProjection = null;
      this.item = null;
      this.pinned = -1;
      this.selection = new Int32Array(0);
      await this.run('train', (id) =>
        this.engine.train({
          jobId: id,
          params: {
            model: this.model,
            ...(this.epochs && this.epochs > 0 ? { epochs: Math.round(this.epochs) } : {}),
            ...(this.batchSize && this.batchSize > 0 ? { batchSize: Math.round(this.batchSize) } : {}),
            ...(this.codeSize && this.codeSize > 0 ? { codeSize: Math.round(this.codeSize) } : {}),
            ...(this.learningRate && this.learningRate > 0 ? { learningRate: this.learningRate } : {}),
            ...(this.model === 'denoising' && inUnit(this.trainingNoise) ? { noiseLevel: this.trainingNoise } : {}),
            ...(this.model === 'sparse' && inUnit(this.l1) ? { l1: this.l1 } : {}),
          },
        }),
      );
      await this.projectMain();
      if (this.compareMethod !== 'none') await this.projectCompare();
    });
  }

  /** Runs a sequence of jobs; an error goes to the message area, and the busy state always ends. */
  private async workflow(steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (e) {
      this.say('error', (e as Error).message);
    } finally {
      this.stage = null;
      this.progress = null;
      this.currentJob = null;
    }
  }

  private projectParams(method: ProjectMethod): ProjectParams {
    if (method !== 'tsne') return { method, input: 'codes' };
    // t-SNE needs 3·perplexity ≤ n − 1: small datasets get the largest perplexity that fits.
    const n = this.dataset?.n ?? Infinity;
    const most = Math.floor((n - 1) / 3);
    let perplexity = this.perplexity;
    if (perplexity > most && most >= 2) {
      perplexity = most;
      this.say('info', `perplexity ${this.perplexity} is too large for ${n} points; using ${most}`);
    }
    return { method, perplexity, input: 'codes' };
  }

  private async projectMain(): Promise<void> {
    await this.run('project', (id) => this.engine.project({ jobId: id, params: this.projectParams(this.method) }));
  }

  private async projectCompare(): Promise<void> {
    if (this.compareMethod === 'none') return;
    const method = this.compareMethod;
    await this.run('project', (id) => {
      this.compareJob = id;
      this.engine.project({ jobId: id, params: this.projectParams(method) });
    });
  }

  /** Projects the trained codes again with the chosen methods (no retraining). */
  async reproject(): Promise<void> {
    if (this.busy || this.meanError === null) return;
    this.messages = [];
    await this.workflow(async () => {
      await this.projectMain();
      if (this.compareMethod !== 'none') await this.projectCompare();
      else this.comparePositions = null;
    });
  }

  /** Shows (or removes, with 'none') a second, linked projection beside the map. */
  async setCompare(method: ProjectMethod | 'none'): Promise<void> {
    this.compareMethod = method;
    if (method === 'none') {
      this.comparePositions = null;
      this.compareProjection = null;
      return;
    }
    if (this.busy || this.meanError === null) return;
    await this.workflow(async () => {
      await this.projectCompare();
    });
  }

  /** What to load: the MNIST subset or the typed folder. */
  private source(): DatasetSource {
    return this.sourceKind === 'folder'
      ? {
          kind: 'folder',
          path: this.folderPath.trim(),
          ...(this.folderSize ? { size: { ...this.folderSize } } : {}),
          ...(this.forceGray ? { grayscale: true } : {}),
        }
      : { kind: 'mnist', limit: this.subset };
  }

  private needsReload(): boolean {
    const s = this.dataset?.source;
    if (!s) return true;
    if (this.sourceKind === 'folder') {
      const want = this.source() as Extract<DatasetSource, { kind: 'folder' }>;
      return (
        s.kind !== 'folder' ||
        s.path !== want.path ||
        JSON.stringify([s.size ?? null, s.grayscale ?? false]) !==
          JSON.stringify([want.size ?? null, want.grayscale ?? false])
      );
    }
    return s.kind !== 'mnist' || this.dataset!.n !== this.subset;
  }

  /** Loads the chosen dataset without training, so its summary shows. */
  async loadDefault(): Promise<void> {
    if (this.busy) return;
    if (this.sourceKind === 'folder' && !this.folderPath.trim()) {
      this.say('error', 'type the path of an image folder first');
      return;
    }
    await this.workflow(async () => {
      await this.run('load', (id) => this.engine.loadDataset({ jobId: id, source: this.source() }));
    });
  }

  /** Loads a folder given by the desktop shell (a drop), after saying why that folder when `note` is given. */
  async loadFolderPath(path: string, note?: string): Promise<void> {
    if (this.busy) {
      this.say('warn', 'finish or cancel the running job before loading another folder');
      return;
    }
    this.sourceKind = 'folder';
    this.folderPath = path;
    this.messages = [];
    if (note) this.say('info', note);
    await this.loadDefault();
  }

  /** Cancels the running job; the engine keeps what it has so far. */
  cancel(): void {
    this.localAbort?.abort();
    if (this.currentJob) this.engine.cancel({ jobId: this.currentJob });
  }

  /** Shows point i in the hover card (or clears it with -1). */
  hover(i: number): void {
    this.hoverIndex = i;
    const shown = this.pinned >= 0 ? this.pinned : i;
    if (shown < 0) {
      this.item = null;
      return;
    }
    if (this.item?.index === shown) return;
    this.requestItem(shown);
  }

  /** Asks for item i, with the card's noise level when the model is the denoising one. */
  private requestItem(i: number): void {
    this.itemRequest = newId('item');
    this.engine.getItem({
      requestId: this.itemRequest,
      index: i,
      ...(this.trainedModel === 'denoising' ? { noiseLevel: this.noiseLevel } : {}),
    });
  }

  /** Changes the denoising card's noise level and fetches the shown item again at it. */
  setNoiseLevel(level: number): void {
    this.noiseLevel = Math.min(1, Math.max(0, level));
    if (this.item) this.requestItem(this.item.index);
  }

  /** Fetches the decoded latent plane of the trained 2-d VAE. */
  async loadManifold(): Promise<void> {
    const id = newId('manifold');
    try {
      const e = await this.request(id, () => this.engine.getManifold({ requestId: id }));
      if (e.type === 'manifold') this.manifold = e;
    } catch (err) {
      this.say('error', (err as Error).message);
    }
  }

  /** Pins the card to point i, or unpins with -1 / the same point. */
  pin(i: number): void {
    this.pinned = i === this.pinned ? -1 : i;
    this.hover(this.hoverIndex < 0 ? i : this.hoverIndex);
  }

  /** Pins point i (no toggling), e.g. when the keyboard steps to it. */
  pinTo(i: number): void {
    this.pinned = i;
    this.hover(this.hoverIndex);
  }

  /** Pins point i and asks the map to fly to it. */
  focusOn(i: number): void {
    this.pinTo(i);
    this.focus = { index: i, seq: (this.focus?.seq ?? 0) + 1 };
  }

  /** Shows or hides a category (class or cluster, whichever colours the map). */
  toggleClass(c: number): void {
    const which = this.colorBy === 'cluster' ? this.hiddenClusters : this.hidden;
    const next = new Set(which);
    if (next.has(c)) next.delete(c);
    else next.add(c);
    if (this.colorBy === 'cluster') this.hiddenClusters = next;
    else this.hidden = next;
  }

  /** Runs k-means on the codes in the engine and colours the map by cluster. */
  async cluster(): Promise<void> {
    if (this.busy || this.clustering) return;
    this.clustering = true;
    try {
      const id = newId('cluster');
      const e = await this.request(id, () => this.engine.cluster({ jobId: id, k: Math.round(this.kmeansK) }));
      if (e.type === 'clusters') {
        this.clusters = { assignments: decodeI32(e.assignments), sizes: e.sizes, input: e.input, seconds: e.seconds };
        this.hiddenClusters = new Set();
        this.colorBy = 'cluster';
      }
    } catch (err) {
      this.say('error', (err as Error).message);
    } finally {
      this.clustering = false;
    }
  }

  /** Replaces the selection and fetches thumbnails of its first items. */
  async select(indices: Int32Array): Promise<void> {
    this.selection = indices;
    this.thumbnails = null;
    if (indices.length === 0) return;
    const first = Array.from(indices.subarray(0, SELECTION_THUMBNAILS));
    const id = newId('thumbs');
    try {
      const e = await this.request(id, () => this.engine.getThumbnails({ requestId: id, indices: first, maxSide: 32 }));
      if (e.type === 'thumbnails' && this.selection === indices) {
        this.thumbnails = {
          indices: e.indices,
          height: e.height,
          width: e.width,
          channels: e.channels,
          pixels: base64ToBytes(e.pixels),
        };
      }
    } catch (err) {
      this.say('error', (err as Error).message);
    }
  }

  /** Looks an index or file name up in the engine; flies to the first hit. */
  async search(query: string): Promise<void> {
    const q = query.trim();
    if (!q || !this.dataset) return;
    const id = newId('search');
    try {
      const e = await this.request(id, () => this.engine.search({ requestId: id, query: q, limit: 20 }));
      if (e.type !== 'searchResults') return;
      this.searchResults = { query: q, indices: e.indices, files: e.files };
      if (e.indices.length > 0 && this.positions) this.focusOn(e.indices[0]);
    } catch (err) {
      this.say('error', (err as Error).message);
    }
  }

  /** Asks the engine for the projections CSV (all rows, or only `rows`); in a browser it is downloaded. */
  exportCsv(path?: string, rows?: Int32Array): void {
    this.exportRequest = newId('csv');
    this.exportName = rows ? 'selection.csv' : 'projections.csv';
    const columns = this.csvColumns.filter((c) => this.canExportColumn(c));
    this.engine.exportCsv({
      requestId: this.exportRequest,
      ...(path !== undefined ? { path } : {}),
      ...(rows ? { rows: encodeI32(rows) } : {}),
      ...(columns.length > 0 ? { columns } : {}),
    });
  }

  /** Whether the data of an optional CSV column exists now (errors and codes need a model, clusters k-means). */
  canExportColumn(c: CsvColumn): boolean {
    if (c === 'error') return this.errors !== null;
    if (c === 'cluster') return this.clusters !== null;
    return this.meanError !== null && this.trainedCodeSize !== null;
  }

  /**
   * Opens a session as a job (busy, cancellable): `start` hands the file to
   * the engine for job `jobId` (Cancel aborts `signal`); a failure, or a bad
   * file, leaves the map as it was.
   */
  async openSession(start: (jobId: string, signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.messages = [];
    const abort = (this.localAbort = new AbortController());
    await this.workflow(async () => {
      await this.run('load', (id) => void start(id, abort.signal).catch((e: Error) => this.settle(id, e)));
    });
    this.localAbort = null;
  }

  /** Sends a request and resolves with the event that answers it (by requestId or jobId). */
  private request(id: string, send: () => void): Promise<EngineEvent> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send();
    });
  }

  private run(stage: Progress['stage'], start: (jobId: string) => void): Promise<EngineEvent> {
    const id = newId(stage);
    this.stage = stage;
    this.progress = null;
    this.currentJob = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      start(id);
    });
  }

  private settle(jobId: string, e: EngineEvent | Error): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    if (e instanceof Error) p.reject(e);
    else p.resolve(e);
  }

  private say(level: Message['level'], text: string): void {
    this.messages = [...this.messages.slice(-4), { level, text }];
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'ready':
        this.backend = e.backend;
        this.backendNotes = e.backendNotes;
        this.versions = e.versions;
        return;
      case 'progress':
        if (e.progress.jobId === this.currentJob) this.progress = e.progress;
        return;
      case 'datasetLoaded':
        this.dataset = e.info;
        this.labels = decodeI32(e.info.labels);
        this.hidden = new Set();
        this.positions = null;
        this.comparePositions = null;
        this.errors = null;
        this.clusters = null;
        this.trainedModel = null;
        this.manifold = null;
        this.colorBy = 'label';
        this.selection = new Int32Array(0);
        this.thumbnails = null;
        this.pinned = -1;
        this.item = null;
        if (e.info.source.kind === 'folder') this.recentFolders = rememberFolder(e.info.source.path);
        this.settle(e.jobId, e);
        return;
      case 'epoch':
        this.epochLogs = [...this.epochLogs, e.log];
        return;
      case 'trained':
        this.meanError = e.meanError;
        this.trainedCodeSize = e.codeSize;
        this.trainedModel = e.model;
        this.lossModel = e.model;
        if (e.noiseLevel !== undefined) this.noiseLevel = e.noiseLevel;
        this.errors = e.errors ? decodeF32(e.errors) : null;
        this.manifold = null;
        if (e.model === 'vae' && e.codeSize === 2) void this.loadManifold();
        // A reopened session sends its epochs only here.
        this.epochLogs = e.epochs;
        if (e.cancelled) this.say('info', `training cancelled after ${e.epochs.length} epochs; using the model so far`);
        this.settle(e.jobId, e);
        return;
      case 'projection': {
        const info = {
          method: e.method,
          iteration: e.iteration,
          kl: e.kl,
          seconds: e.seconds,
          final: e.final,
          metrics: e.metrics,
        };
        if (e.jobId === this.compareJob) {
          this.comparePositions = decodeF32(e.positions);
          this.compareProjection = info;
        } else {
          this.positions = decodeF32(e.positions);
          this.projection = info;
        }
        if (e.final) {
          this.engineMethod = e.method;
          if (e.cancelled)
            this.say('info', `${e.method.toUpperCase()} cancelled at iteration ${e.iteration}; showing the map so far`);
          this.settle(e.jobId, e);
        }
        return;
      }
      case 'item':
        if (e.requestId === this.itemRequest) this.item = e;
        return;
      case 'clusters':
        this.settle(e.jobId, e);
        return;
      case 'thumbnails':
      case 'searchResults':
      case 'manifold':
        this.settle(e.requestId, e);
        return;
      case 'csv':
        if (e.requestId !== this.exportRequest) return;
        if (e.text !== undefined) {
          downloadBlob(new Blob([e.text], { type: 'text/csv;charset=utf-8' }), this.exportName);
          this.lastExport = `downloaded ${this.exportName} (${e.rows} rows)`;
        } else this.lastExport = `saved ${e.rows} rows to ${e.path}`;
        return;
      case 'sessionOpened':
        this.openedSession = { name: e.path, view: e.view, seq: (this.openedSession?.seq ?? 0) + 1 };
        this.say('info', `opened session ${e.path}`);
        return;
      case 'sessionSaved':
        this.lastExport = `saved the session to ${e.path} (${(e.bytes / 2 ** 20).toFixed(1)} MB)`;
        return;
      case 'error':
        if (e.jobId && this.pending.has(e.jobId)) this.settle(e.jobId, new Error(e.message));
        else if (e.requestId && this.pending.has(e.requestId)) this.settle(e.requestId, new Error(e.message));
        else this.say('error', e.message);
        return;
      case 'log':
        this.say(e.level, e.message);
        return;
    }
  }
}
