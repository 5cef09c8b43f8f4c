import {
  decodeF32,
  decodeI32,
  type DatasetInfo,
  type EngineApi,
  type EngineEvent,
  type EpochLog,
  type ModelKind,
  type Progress,
} from '../src-main/protocol.js';

/** The hover card's content: one item as the engine sent it. */
export type ItemView = Extract<EngineEvent, { type: 'item' }>;

/** A line for the message area. */
export interface Message {
  level: 'info' | 'warn' | 'error';
  text: string;
}

type Done = { resolve: (e: EngineEvent) => void; reject: (err: Error) => void };

let nextId = 1;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${nextId++}`;

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
  model = $state<ModelKind>('deep');
  epochs = $state(10);
  perplexity = $state(30);
  stage = $state<Progress['stage'] | null>(null);
  progress = $state<Progress | null>(null);
  epochLogs = $state<EpochLog[]>([]);
  meanError = $state<number | null>(null);
  positions = $state.raw<Float32Array | null>(null);
  projection = $state<{ method: string; iteration: number; kl?: number; seconds?: number; final: boolean } | null>(null);
  hidden = $state.raw<Set<number>>(new Set());
  hoverIndex = $state(-1);
  pinned = $state(-1);
  item = $state<ItemView | null>(null);
  messages = $state<Message[]>([]);
  lastExport = $state<string | null>(null);

  private readonly pending = new Map<string, Done>();
  private currentJob: string | null = null;
  private itemRequest = '';
  private exportRequest = '';

  constructor(private readonly engine: EngineApi) {
    engine.onEvent((e) => this.onEvent(e));
    engine.hello();
  }

  get busy(): boolean {
    return this.stage !== null;
  }

  /** Loads the MNIST subset, trains the chosen autoencoder, then runs t-SNE on its codes. */
  async trainAndProject(): Promise<void> {
    if (this.busy) return;
    this.messages = [];
    try {
      if (!this.dataset || this.dataset.n !== this.subset || this.dataset.source.kind !== 'mnist') {
        await this.run('load', (id) => this.engine.loadDataset(id, { kind: 'mnist', limit: this.subset }));
      }
      this.epochLogs = [];
      this.meanError = null;
      this.positions = null;
      this.projection = null;
      this.item = null;
      this.pinned = -1;
      await this.run('train', (id) => this.engine.train(id, { model: this.model, epochs: this.epochs }));
      await this.run('project', (id) =>
        this.engine.project(id, { method: 'tsne', perplexity: this.perplexity, input: 'codes' }),
      );
    } catch (e) {
      this.say('error', (e as Error).message);
    } finally {
      this.stage = null;
      this.progress = null;
      this.currentJob = null;
    }
  }

  /** Loads the dataset without training, so its summary shows. */
  async loadDefault(): Promise<void> {
    if (this.busy) return;
    try {
      await this.run('load', (id) => this.engine.loadDataset(id, { kind: 'mnist', limit: this.subset }));
    } catch (e) {
      this.say('error', (e as Error).message);
    } finally {
      this.stage = null;
      this.progress = null;
      this.currentJob = null;
    }
  }

  /** Cancels the running job; the engine keeps what it has so far. */
  cancel(): void {
    if (this.currentJob) this.engine.cancel(this.currentJob);
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
    this.itemRequest = newId('item');
    this.engine.getItem(this.itemRequest, shown);
  }

  /** Pins the card to point i, or unpins with -1 / the same point. */
  pin(i: number): void {
    this.pinned = i === this.pinned ? -1 : i;
    this.hover(this.hoverIndex < 0 ? i : this.hoverIndex);
  }

  /** Shows or hides a class on the map. */
  toggleClass(c: number): void {
    const next = new Set(this.hidden);
    if (next.has(c)) next.delete(c);
    else next.add(c);
    this.hidden = next;
  }

  /** Asks the engine for the projections CSV; in a browser it is downloaded. */
  exportCsv(path?: string): void {
    this.exportRequest = newId('csv');
    this.engine.exportCsv(this.exportRequest, path);
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
        for (const s of e.info.skipped.slice(0, 3)) this.say('warn', `${s.file}: ${s.reason}`);
        this.settle(e.jobId, e);
        return;
      case 'epoch':
        this.epochLogs = [...this.epochLogs, e.log];
        return;
      case 'trained':
        this.meanError = e.meanError;
        if (e.cancelled) this.say('info', `training cancelled after ${e.epochs.length} epochs; using the model so far`);
        this.settle(e.jobId, e);
        return;
      case 'projection':
        this.positions = decodeF32(e.positions);
        this.projection = { method: e.method, iteration: e.iteration, kl: e.kl, seconds: e.seconds, final: e.final };
        if (e.final) {
          if (e.cancelled) this.say('info', `t-SNE cancelled at iteration ${e.iteration}; showing the map so far`);
          this.settle(e.jobId, e);
        }
        return;
      case 'item':
        if (e.requestId === this.itemRequest) this.item = e;
        return;
      case 'csv':
        if (e.requestId !== this.exportRequest) return;
        if (e.text !== undefined) {
          downloadText(e.text, 'projections.csv');
          this.lastExport = `downloaded projections.csv (${e.rows} rows)`;
        } else this.lastExport = `saved ${e.rows} rows to ${e.path}`;
        return;
      case 'error':
        if (e.jobId && this.pending.has(e.jobId)) this.settle(e.jobId, new Error(e.message));
        else this.say('error', e.message);
        return;
      case 'log':
        this.say(e.level, e.message);
        return;
    }
  }
}

function downloadText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
