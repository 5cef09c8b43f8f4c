import { base64ToBytes, type CsvColumn, type Progress, type SessionView } from '../src-main/protocol.js';
import { type EngineClient, EngineGoneError, type PageEvent } from './engine-client.js';
import { rememberFolder } from './recent-folders.js';
import { ClustersRecord } from './state/clusters.js';
import { DatasetRecord } from './state/dataset.svelte.js';
import type { ProjectionRecord } from './state/projection.js';
import { type CompareChoice, PIXELS_TSNE, type ProjectMethod, Settings } from './state/settings.svelte.js';
import { Shown } from './state/shown.svelte.js';
import type { Slot } from './state/trained.svelte.js';

export type { ColorBy, ItemView, Thumbnails } from './state/map-view.svelte.js';
export type { CompareChoice, ProjectMethod } from './state/settings.svelte.js';
export type { ManifoldView } from './state/trained.svelte.js';

/** What the status bar shows of a projection. */
export type ProjectionInfo = Pick<
  ProjectionRecord,
  'method' | 'of' | 'params' | 'iteration' | 'kl' | 'seconds' | 'final' | 'metrics'
>;

/** A line for the message area. */
export interface Message {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** Thumbnails shown for a selection (one engine request). */
export const SELECTION_THUMBNAILS = 120;

/**
 * The page: the record chain the engine reported (dataset → trained →
 * projections), the side panel's settings, the map's view state, and the
 * workflows that drive the engine through its client. Everything a component
 * shows of the data is read through the chain, so a new dataset or model
 * leaves nothing stale behind.
 */
export class AppState extends Shown {
  readonly client: EngineClient;
  readonly settings = new Settings();
  backend = $state('starting…');
  backendNotes = $state<string[]>([]);
  versions = $state<Record<string, string>>({});
  /** The job under way and its latest progress. */
  private job = $state.raw<{ stage: Progress['stage']; progress: Progress | null } | null>(null);
  clustering = $state(false);
  messages = $state<Message[]>([]);
  lastExport = $state<string | null>(null);
  /** The last session the engine opened, with its view state; seq makes reopening the same file distinct. */
  openedSession = $state.raw<{ name: string; view: SessionView | null; seq: number } | null>(null);
  /** Why the engine was restarted, shown over the empty map until a dataset is loaded again. */
  private restartedBecause = $state<string | null>(null);
  /** Aborts the page's own part of the current job (e.g. a session upload), which the engine cannot cancel. */
  private localAbort: AbortController | null = null;
  /** Cancel was pressed during the current workflow: a step the engine finished anyway does not lead to the next. */
  private cancelled = false;
  /** The workflow under way, so a load that cancels it can wait for its end. */
  private running: Promise<void> | null = null;
  /** The job under way is a first map of the pixels, the last step of a load: another load cancels it, not waits. */
  private preemptible = $state(false);

  /**
   * `download` saves what the engine sent as text (a CSV) under a name: a
   * blob download in the page; kept out of this class so it needs no DOM.
   */
  constructor(
    client: EngineClient,
    private readonly download: (blob: Blob, name: string) => void,
  ) {
    super();
    this.client = client;
    client.onEvent((e) => this.onEvent(e));
    client.hello();
  }

  /** The engine-restart message, while nothing has been loaded since. */
  get restartNotice(): string | null {
    return this.dataset ? null : this.restartedBecause;
  }

  get busy(): boolean {
    return this.job !== null;
  }
  /** Whether loading another dataset must wait (a first map of the pixels gives way to it instead). */
  get loadWaits(): boolean {
    return this.busy && !this.preemptible;
  }
  get stage(): Progress['stage'] | null {
    return this.job?.stage ?? null;
  }
  get progress(): Progress | null {
    return this.job?.progress ?? null;
  }
  /** The page's own progress for the job (a session upload) before the engine's takes over. */
  set progress(p: Progress | null) {
    if (this.job) this.job = { ...this.job, progress: p };
  }

  /** Whether Re-project can run: there is a model of the loaded data and nothing else is running. */
  get canReproject(): boolean {
    return !this.busy && this.trained !== null;
  }

  /** Loads the dataset the form asks for (if another is loaded), trains the chosen model, then projects its codes. */
  async trainAndProject(): Promise<void> {
    if (this.busy) return;
    this.messages = [];
    await this.workflow(async () => {
      if (!this.settings.matches(this.dataset?.info ?? null)) await this.load(false);
      else await this.mapPixels(false);
      const ds = this.dataset;
      if (!ds || this.cancelled) return;
      ds.startTraining(this.settings.model);
      this.view.colorBy = 'label';
      this.setStage('train');
      try {
        await this.client.train(this.settings.trainParams());
      } catch (err) {
        ds.abandonTraining();
        throw err;
      }
      await this.projectAll();
    });
  }

  /** Projects the trained codes again with the chosen methods (no retraining). */
  async reproject(): Promise<void> {
    if (!this.canReproject) return;
    this.messages = [];
    await this.workflow(() => this.projectAll());
  }

  /**
   * Shows (or removes, with 'none') a second, linked projection beside the map: a method on the codes (once a
   * model is trained), or t-SNE of the pixels, which needs no model.
   */
  async setCompare(choice: CompareChoice): Promise<void> {
    this.settings.compareMethod = choice;
    if (choice === 'none') {
      this.trained?.dropCompare();
      return;
    }
    if (choice === PIXELS_TSNE) {
      if (!this.busy && this.dataset) await this.workflow(() => this.projectPixelCompare());
      return;
    }
    if (!this.canReproject) return;
    await this.workflow(() => this.projectInto('compare', choice));
  }

  /** Protected hook of Shown: the map beside the main one shows what the form chose. */
  protected override compareChoice(): CompareChoice {
    return this.settings.compareMethod;
  }

  private async projectAll(): Promise<void> {
    await this.projectInto('main', this.settings.method);
    const beside = this.settings.compareMethod;
    if (beside === PIXELS_TSNE) await this.projectPixelCompare();
    else if (beside !== 'none') await this.projectInto('compare', beside);
    else this.trained?.dropCompare();
  }

  /**
   * The loaded dataset's first map: PCA of its pixels, so a map is there before any model. A failure says why
   * and leaves the map empty; it does not stop a training run that follows.
   */
  private async mapPixels(preemptible: boolean): Promise<void> {
    const ds = this.dataset;
    if (!ds || ds.pixelMap?.final) return;
    const params = this.settings.pixelMapParams();
    this.setStage('project');
    this.preemptible = preemptible;
    try {
      await this.client.project(params, (frame) => ds.projectPixels('main', frame, params));
    } catch (err) {
      if (err instanceof EngineGoneError) throw err;
      if (!this.cancelled) this.say('warn', `no map of the pixels: ${(err as Error).message}`);
    } finally {
      this.preemptible = false;
    }
  }

  /**
   * t-SNE of the pixels' PCA-50 beside the main map. It is the dataset's, so it is kept across training runs
   * and computed again only when the perplexity asked for changed or the last run was cancelled.
   */
  private async projectPixelCompare(): Promise<void> {
    const ds = this.dataset;
    if (!ds) return;
    const { params, note } = this.settings.pixelTsneParams(ds.n);
    const have = ds.pixelCompare;
    if (have?.final && !have.cancelled && have.params?.perplexity === params.perplexity) return;
    if (note) this.say('info', note);
    this.setStage('project');
    const e = await this.client.project(params, (frame) => ds.projectPixels('compare', frame, params));
    if (e.cancelled)
      this.say('info', `t-SNE of the pixels cancelled at iteration ${e.iteration}; showing the map so far`);
  }

  /** Projects the current model's codes into `slot`; the frames go to that model's record, whatever happens meanwhile. */
  private async projectInto(slot: Slot, method: ProjectMethod): Promise<void> {
    const t = this.trained;
    if (!t) return;
    const { params, note } = this.settings.projectParams(method, t.dataset.n);
    if (note) this.say('info', note);
    this.setStage('project');
    const e = await this.client.project(params, (frame) => t.project(slot, frame, params));
    if (e.cancelled)
      this.say('info', `${e.method.toUpperCase()} cancelled at iteration ${e.iteration}; showing the map so far`);
  }

  /** Loads the chosen dataset without training, so its summary shows. */
  async loadDefault(): Promise<void> {
    if (this.busy) return;
    if (this.settings.sourceKind === 'folder' && !this.settings.folderPath.trim()) {
      this.say('error', 'type the path of an image folder first');
      return;
    }
    await this.workflow(() => this.load(true));
  }

  /**
   * Loads the dataset the form asks for, then draws its first map (PCA of the pixels); when nothing follows
   * (`preemptible`), loading another dataset meanwhile cancels that map instead of being refused.
   */
  private async load(preemptible: boolean): Promise<void> {
    this.setStage('load');
    await this.client.loadDataset(this.settings.source());
    await this.mapPixels(preemptible);
  }

  /** Loads a folder given by the desktop shell (a drop), after saying why that folder when `note` is given. */
  async loadFolderPath(path: string, note?: string): Promise<void> {
    await this.preempt();
    if (this.busy) {
      this.say('warn', 'finish or cancel the running job before loading another folder');
      return;
    }
    this.settings.sourceKind = 'folder';
    this.settings.folderPath = path;
    this.messages = [];
    if (note) this.say('info', note);
    await this.loadDefault();
  }

  /**
   * Opens a session as a job (busy, cancellable): `start` hands the file to
   * the engine for job `jobId` (Cancel aborts `signal`); a failure, or a bad
   * file, leaves the map as it was.
   */
  async openSession(start: (jobId: string, signal: AbortSignal) => Promise<void>): Promise<void> {
    await this.preempt();
    if (this.busy) return;
    this.messages = [];
    const abort = (this.localAbort = new AbortController());
    await this.workflow(async () => {
      this.setStage('load');
      await this.client.openSession((id) => start(id, abort.signal));
      // A session saved before anything was projected still opens on a map.
      if (!this.positions) await this.mapPixels(true);
    });
    this.localAbort = null;
  }

  /**
   * Cancels the job under way and waits for its end when it is only the first map of a dataset's pixels, so a
   * folder dropped or a session opened right after the window shows is not refused for it.
   */
  private async preempt(): Promise<void> {
    if (!this.busy || !this.preemptible) return;
    this.cancel();
    await this.running;
  }

  /** Cancels the running job; the engine keeps what it has so far. */
  cancel(): void {
    this.cancelled = this.busy;
    this.localAbort?.abort();
    this.client.cancelJobs();
  }

  /** Runs a sequence of jobs; an error goes to the message area, and the busy state always ends. */
  private async workflow(steps: () => Promise<void>): Promise<void> {
    this.cancelled = false;
    const run = (async () => {
      try {
        await steps();
      } catch (e) {
        // A restarted engine has said so already.
        if (!(e instanceof EngineGoneError)) this.say('error', (e as Error).message);
      } finally {
        this.job = null;
      }
    })();
    this.running = run;
    await run;
  }

  private setStage(stage: Progress['stage']): void {
    this.job = { stage, progress: null };
  }

  /** Shows point i in the hover card (or clears it with -1). */
  hover(i: number): void {
    this.view.hoverIndex = i;
    const shown = this.view.shown;
    if (shown < 0) this.view.item = null;
    else if (this.view.item?.index !== shown) void this.requestItem(shown);
  }

  /** Asks for item i, with the card's noise level when the model is the denoising one. */
  private async requestItem(i: number): Promise<void> {
    const of = this.dataset;
    const noise = this.trained?.kind === 'denoising' ? this.noiseLevel : undefined;
    try {
      const e = await this.client.getItem(i, noise);
      // Answers come in order: the one for the point shown now is the latest.
      if (this.dataset === of && e.index === this.view.shown) this.view.item = e;
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    }
  }

  /** Changes the denoising card's noise level and fetches the shown item again at it. */
  setNoiseLevel(level: number): void {
    if (!this.trained) return;
    this.trained.cardNoise = Math.min(1, Math.max(0, level));
    const item = this.view.item;
    if (item) void this.requestItem(item.index);
  }

  /** Pins the card to point i, or unpins with -1 / the same point. */
  pin(i: number): void {
    this.view.pinned = i === this.view.pinned ? -1 : i;
    this.hover(this.view.hoverIndex < 0 ? i : this.view.hoverIndex);
  }

  /** Pins point i (no toggling), e.g. when the keyboard steps to it. */
  pinTo(i: number): void {
    this.view.pinned = i;
    this.hover(this.view.hoverIndex);
  }

  /** Pins point i and asks the map to fly to it. */
  focusOn(i: number): void {
    this.pinTo(i);
    this.view.flyTo(i);
  }

  /** Runs k-means in the engine (on the codes, or the pixels before any model) and colours the map by cluster. */
  async cluster(): Promise<void> {
    if (this.busy || this.clustering || !this.dataset) return;
    const of = this.dataset;
    const on = of.trained;
    this.clustering = true;
    try {
      const e = await this.client.cluster(Math.round(this.settings.kmeansK));
      // The record it was computed on takes it; if that was replaced meanwhile, nothing shows it.
      if (on) on.clusters = new ClustersRecord(e);
      else of.clusters = new ClustersRecord(e);
      this.view.colorBy = 'cluster';
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    } finally {
      this.clustering = false;
    }
  }

  /** Replaces the selection and fetches thumbnails of its first items. */
  async select(indices: Int32Array): Promise<void> {
    this.view.selection = indices;
    this.view.thumbnails = null;
    if (indices.length === 0) return;
    try {
      const e = await this.client.getThumbnails(Array.from(indices.subarray(0, SELECTION_THUMBNAILS)), 32);
      if (this.view.selection === indices) {
        const { indices: shown, height, width, channels } = e;
        this.view.thumbnails = { indices: shown, height, width, channels, pixels: base64ToBytes(e.pixels) };
      }
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    }
  }

  /** Looks an index or file name up in the engine; flies to the first hit. */
  async search(query: string): Promise<void> {
    const q = query.trim();
    const of = this.dataset;
    if (!q || !of) return;
    try {
      const e = await this.client.search(q, 20);
      if (this.dataset !== of) return;
      this.view.searchResults = { query: q, indices: e.indices, files: e.files };
      if (e.indices.length > 0 && this.positions) this.focusOn(e.indices[0]);
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    }
  }

  /** Asks the engine for the projections CSV (all rows, or only `rows`); in a browser it is downloaded. */
  async exportCsv(rows?: Int32Array): Promise<void> {
    const name = rows ? 'selection.csv' : 'projections.csv';
    const columns = this.settings.csvColumns.filter((c) => this.canExportColumn(c));
    try {
      const e = await this.client.exportCsv({ rows, columns });
      if (e.text !== undefined) {
        this.download(new Blob([e.text], { type: 'text/csv;charset=utf-8' }), name);
        this.lastExport = `downloaded ${name} (${e.rows} rows)`;
      } else this.lastExport = `saved ${e.rows} rows to ${e.path}`;
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    }
  }

  /** Whether the data of an optional CSV column exists now (errors and codes need a model, clusters k-means). */
  canExportColumn(c: CsvColumn): boolean {
    if (c === 'error') return this.errors !== null;
    if (c === 'cluster') return this.clusters !== null;
    return this.trained !== null;
  }

  /** Fetches the decoded latent plane of a trained 2-d VAE into its record. */
  private async loadManifold(): Promise<void> {
    const t = this.trained;
    if (!t) return;
    try {
      t.manifold = await this.client.getManifold();
    } catch (err) {
      if (!(err instanceof EngineGoneError)) this.say('error', (err as Error).message);
    }
  }

  private say(level: Message['level'], text: string): void {
    this.messages = [...this.messages.slice(-4), { level, text }];
  }

  /** The events no request consumed: what the engine reports of its own (and of a session it opens). */
  private onEvent(e: PageEvent): void {
    switch (e.type) {
      case 'ready':
        this.backend = e.backend;
        this.backendNotes = e.backendNotes;
        this.versions = e.versions;
        return;
      case 'progress':
        if (this.job) this.job = { ...this.job, progress: e.progress };
        return;
      case 'datasetLoaded':
        // The new head: the old dataset, its model, projections and clusters go with the old record.
        this.dataset = new DatasetRecord(e.info);
        if (e.info.source.kind === 'folder') this.settings.recentFolders = rememberFolder(e.info.source.path);
        return;
      case 'epoch':
        this.dataset?.addEpoch(e.log);
        return;
      // Watching the model learn: the live map moves, and the card shown is asked again of the model so far.
      case 'trainSnapshot':
        try {
          this.dataset?.addSnapshot(e);
        } catch (err) {
          this.say('warn', (err as Error).message);
          return;
        }
        if (this.view.item && this.view.shown === this.view.item.index) void this.requestItem(this.view.item.index);
        return;
      case 'trainLoss':
        this.dataset?.addLoss(e);
        return;
      case 'trained': {
        const t = this.dataset?.takeTrained(e);
        if (t?.hasManifold) void this.loadManifold();
        if (e.cancelled) this.say('info', `training cancelled after ${e.epochs.length} epochs; using the model so far`);
        return;
      }
      case 'projection':
        // Only a session's restored projection arrives here; the page's own go to the record that asked.
        if (e.input === 'pixels' || !this.trained) this.dataset?.projectPixels('main', e, null);
        else this.trained.project('main', e, null);
        return;
      case 'sessionOpened':
        this.openedSession = { name: e.path, view: e.view, seq: (this.openedSession?.seq ?? 0) + 1 };
        this.say('info', `opened session ${e.path}`);
        return;
      case 'sessionSaved':
        this.lastExport = `saved the session to ${e.path} (${(e.bytes / 2 ** 20).toFixed(1)} MB)`;
        return;
      case 'engineRestarted':
        this.restarted(e.message);
        return;
      case 'modelLost':
        this.dataset?.loseModel();
        this.say('error', e.message);
        return;
      case 'error':
        this.say('error', e.message);
        return;
      case 'log':
        this.say(e.level, e.message);
        return;
    }
  }

  /**
   * The engine died and a fresh one runs: its data and model are gone, so the
   * whole chain goes. The page does not load anything by itself, since the
   * load or training that killed the engine (e.g. a folder too large for its
   * memory) would kill it again; the form keeps every setting, so one click on
   * Train & project (or Load) redoes the work.
   */
  private restarted(message: string): void {
    this.dataset = null;
    this.job = null;
    this.localAbort?.abort();
    this.messages = [];
    this.restartedBecause = message;
    this.say('error', message);
    this.say('info', 'click Train & project (or Load) to start again');
    this.client.hello();
  }
}
