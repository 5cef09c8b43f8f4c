/**
 * The page's side of the engine's request/response protocol: it picks the
 * jobIds and requestIds, keeps the pending promises, and settles each one
 * with the event that answers it (or the error naming it). The state classes
 * only call verbs and await answers; none of them holds an id.
 */
import {
  type CsvColumn,
  type DatasetSource,
  encodeI32,
  type EngineApi,
  type EngineEvent,
  type ProjectParams,
  type TrainParams,
} from '../src-main/protocol.js';

/**
 * Every event the page can receive, including `engineRestarted` (the web
 * server or Electron main replaced a dead engine: its data and model are gone).
 */
export type PageEvent = EngineEvent;

/** Event of one type. */
export type EventOf<T extends PageEvent['type']> = Extract<PageEvent, { type: T }>;

/**
 * Rejects a pending request whose answer will never come because the engine
 * behind it is gone (restarted, or the connection closed). The page has
 * already said why, so callers drop it silently.
 */
export class EngineGoneError extends Error {}

interface Pending {
  /** The event type that ends it. */
  until: PageEvent['type'];
  resolve: (e: PageEvent) => void;
  reject: (err: Error) => void;
  /** Sees the job's events of type `until` instead of the page (e.g. the streaming frames of a projection). */
  onEvent?: (e: PageEvent) => void;
  /** A long job (cancellable), as opposed to a quick request. */
  job: boolean;
}

const idOf = (e: PageEvent): string | undefined => {
  if ('jobId' in e && typeof e.jobId === 'string') return e.jobId;
  if ('requestId' in e && typeof e.requestId === 'string') return e.requestId;
  if (e.type === 'progress') return e.progress.jobId;
  return undefined;
};

/** Whether `e` ends the request waiting for `until`: the final frame of a projection, else the event itself. */
const ends = (e: PageEvent, until: PageEvent['type']): boolean =>
  e.type === until && (e.type !== 'projection' || e.final);

let nextId = 1;

/** Wraps the transport's verb API with ids, pending answers and one event stream for the page. */
export class EngineClient {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: PageEvent) => void>();

  constructor(private readonly api: EngineApi) {
    api.onEvent((e) => this.dispatch(e));
  }

  /** Subscribes to the events no request consumed (and to every streaming event); returns the unsubscribe. */
  onEvent(listener: (e: PageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether any long job is running. */
  get running(): boolean {
    for (const p of this.pending.values()) if (p.job) return true;
    return false;
  }

  hello(): void {
    this.api.hello();
  }

  loadDataset(source: DatasetSource): Promise<EventOf<'datasetLoaded'>> {
    return this.start('load', 'datasetLoaded', (id) => this.api.loadDataset({ jobId: id, source }));
  }

  train(params: TrainParams): Promise<EventOf<'trained'>> {
    return this.start('train', 'trained', (id) => this.api.train({ jobId: id, params }));
  }

  /** Runs a projection; `onFrame` sees every frame (streaming and final) of this job only. */
  project(params: ProjectParams, onFrame: (e: EventOf<'projection'>) => void): Promise<EventOf<'projection'>> {
    return this.start(
      'project',
      'projection',
      (id) => this.api.project({ jobId: id, params }),
      (e) => {
        if (e.type === 'projection') onFrame(e);
      },
    );
  }

  cluster(k: number): Promise<EventOf<'clusters'>> {
    return this.start('cluster', 'clusters', (id) => this.api.cluster({ jobId: id, k }), undefined, false);
  }

  /**
   * Opens a session whose bytes `send` hands to the engine under job `jobId`
   * (an upload, or a path in the desktop app); resolves when the engine has
   * sent the restored dataset, model and projection and then `sessionOpened`.
   */
  openSession(send: (jobId: string) => Promise<void>): Promise<EventOf<'sessionOpened'>> {
    // A failed upload never reaches the engine, so nothing would answer: it fails the job here.
    return this.start('session', 'sessionOpened', (id) => void send(id).catch((err: Error) => this.fail(id, err)));
  }

  getItem(index: number, noiseLevel?: number): Promise<EventOf<'item'>> {
    return this.ask('item', 'item', (id) =>
      this.api.getItem(noiseLevel === undefined ? { requestId: id, index } : { requestId: id, index, noiseLevel }),
    );
  }

  getManifold(): Promise<EventOf<'manifold'>> {
    return this.ask('manifold', 'manifold', (id) => this.api.getManifold({ requestId: id }));
  }

  getThumbnails(indices: number[], maxSide: number): Promise<EventOf<'thumbnails'>> {
    return this.ask('thumbs', 'thumbnails', (id) => this.api.getThumbnails({ requestId: id, indices, maxSide }));
  }

  /** The k nearest items to `index` in code space (the pixels before any model). */
  neighbors(index: number, k: number): Promise<EventOf<'neighbors'>> {
    return this.ask('near', 'neighbors', (id) => this.api.neighbors({ requestId: id, index, k }));
  }

  search(query: string, limit: number): Promise<EventOf<'searchResults'>> {
    return this.ask('search', 'searchResults', (id) => this.api.search({ requestId: id, query, limit }));
  }

  /** All rows, or only `rows`; in web mode the answer carries the text, in the desktop app the path written. */
  exportCsv(opts: { rows?: Int32Array; columns: CsvColumn[]; path?: string }): Promise<EventOf<'csv'>> {
    return this.ask('csv', 'csv', (id) =>
      this.api.exportCsv({
        requestId: id,
        ...(opts.path !== undefined ? { path: opts.path } : {}),
        ...(opts.rows ? { rows: encodeI32(opts.rows) } : {}),
        ...(opts.columns.length > 0 ? { columns: opts.columns } : {}),
      }),
    );
  }

  /** Asks the engine to stop every running job; each still answers with what it has. */
  cancelJobs(): void {
    for (const [id, p] of this.pending) if (p.job) this.api.cancel({ jobId: id });
  }

  /** Rejects every pending answer with `message` (the engine that would have sent them is gone). */
  dropAll(message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new EngineGoneError(message));
  }

  private fail(id: string, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(err);
  }

  private start<T extends PageEvent['type']>(
    prefix: string,
    until: T,
    send: (id: string) => void,
    onEvent?: (e: PageEvent) => void,
    job = true,
  ): Promise<EventOf<T>> {
    const id = `${prefix}-${Date.now().toString(36)}-${nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { until, resolve: resolve as (e: PageEvent) => void, reject, onEvent, job });
      try {
        send(id);
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  private ask<T extends PageEvent['type']>(prefix: string, until: T, send: (id: string) => void): Promise<EventOf<T>> {
    return this.start(prefix, until, send, undefined, false);
  }

  private dispatch(e: PageEvent): void {
    if (e.type === 'engineRestarted') {
      // The page hears it first (it drops its chain), then every waiting caller learns its answer is gone.
      this.emit(e);
      this.dropAll(e.message);
      return;
    }
    const id = idOf(e);
    const p = id === undefined ? undefined : this.pending.get(id);
    if (p && e.type === 'error') {
      // The caller shows it: the page's message area must not show it twice.
      this.pending.delete(id!);
      p.reject(new Error(e.message));
      return;
    }
    // Only the answering event type goes to the job's own handler; its progress goes to the page.
    if (p?.onEvent && e.type === p.until) p.onEvent(e);
    else this.emit(e);
    if (p && ends(e, p.until)) {
      this.pending.delete(id!);
      p.resolve(e);
    }
  }

  private emit(e: PageEvent): void {
    for (const l of this.listeners) l(e);
  }
}
