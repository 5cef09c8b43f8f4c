/**
 * The engine: holds the current chain of records (state.ts), runs one job
 * module per command (jobs/) and reports through `emit`. It knows nothing of
 * its transport: the worker process, the CLI and tests drive it alike.
 */
import * as tf from '@tensorflow/tfjs';

import type { Command, EngineEvent, Progress } from '../protocol.js';
import { decodeI32, parseCommand } from '../protocol.js';
import { backendWorks, recreateBackend } from './backends/health.js';
import { selectBackend } from './backends/select.js';
import { clusterJob } from './jobs/cluster.js';
import type { JobContext, Reporter } from './jobs/context.js';
import { exportCsvJob } from './jobs/csv.js';
import { itemJob, manifoldJob } from './jobs/item.js';
import { loadJob } from './jobs/load.js';
import { neighborsJob } from './jobs/neighbors.js';
import { projectJob } from './jobs/project.js';
import { searchJob } from './jobs/search.js';
import { openSessionJob, saveSessionJob } from './jobs/sessions.js';
import { thumbnailsJob } from './jobs/thumbnails.js';
import { trainJob } from './jobs/train.js';
import { MAX_MODEL_BYTES } from './models/size.js';
import { EMPTY, type EngineState, withoutTrained } from './state.js';
import { describeBackend } from './training/parallel.js';
import type { LiveMapOptions } from './training/snapshot.js';

/** Options of an engine instance. */
export interface EngineOptions {
  /** Milliseconds between two progress events of one job (the last one always goes). */
  progressIntervalMs?: number;
  /** Largest model training builds, in bytes of float32 weights (default `MAX_MODEL_BYTES`, 256 MiB). */
  maxModelBytes?: number;
  /** When a training run's live map is refreshed (default `LIVE_MAP_DEFAULTS`: at most 10% of the time). */
  liveMap?: Partial<LiveMapOptions>;
}

/** Raised inside a job when its AbortSignal fires. */
function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /aborted/i.test(e.message));
}

/** Commands whose jobs run TensorFlow.js, after whose failure the backend is checked. */
const USES_TF: ReadonlySet<Command['type']> = new Set([
  'train',
  'getItem',
  'getManifold',
  'openSession',
  'saveSession',
]);

/** Runs commands against one chain of records. */
export class Engine {
  private current: EngineState = EMPTY;
  private readonly jobs = new Map<string, AbortController>();
  private readonly progressIntervalMs: number;
  private readonly ctx: JobContext;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    options: EngineOptions = {},
  ) {
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const engine = this;
    this.ctx = {
      get state() {
        return engine.current;
      },
      commit: (next) => this.commit(next),
      emit,
      progress: (jobId, stage) => this.progress(jobId, stage),
      backend: async () => {
        await selectBackend();
      },
      maxModelBytes: options.maxModelBytes ?? MAX_MODEL_BYTES,
      liveMap: options.liveMap ?? {},
    };
  }

  /** The current records (the head of the chain and what hangs from it), for the CLI and tests. */
  get state(): EngineState {
    return this.current;
  }

  /** Handles one untrusted command; never throws (errors become error events). */
  async handle(raw: unknown): Promise<void> {
    const parsed = parseCommand(raw);
    if (!parsed.ok) {
      // The refusal names the job or request it answers, when the sender gave a usable id.
      this.emit({ type: 'error', ...parsed.ids, message: `bad command: ${parsed.message}` });
      return;
    }
    const cmd: Command = parsed.command;
    try {
      await this.dispatch(cmd);
    } catch (e) {
      const message = isAbort(e) ? `${cmd.type} cancelled` : e instanceof Error ? e.message : String(e);
      const ids = 'jobId' in cmd ? { jobId: cmd.jobId } : 'requestId' in cmd ? { requestId: cmd.requestId } : {};
      this.emit({ type: 'error', ...ids, message });
      if (USES_TF.has(cmd.type) && !isAbort(e)) await this.recover();
    }
  }

  private async dispatch(cmd: Command): Promise<void> {
    const ctx = this.ctx;
    switch (cmd.type) {
      case 'hello':
        return this.hello();
      case 'cancel':
        this.jobs.get(cmd.jobId)?.abort();
        return;
      case 'loadDataset':
        return this.job(cmd.jobId, (signal) => loadJob(ctx, cmd.jobId, cmd.source, signal));
      case 'train':
        return this.job(cmd.jobId, (signal) => trainJob(ctx, cmd.jobId, cmd.params, signal));
      case 'project':
        return this.job(cmd.jobId, (signal) => projectJob(ctx, cmd.jobId, cmd.params, signal));
      case 'cluster':
        return this.job(cmd.jobId, (signal) => clusterJob(ctx, cmd.jobId, cmd.k, cmd.seed, signal));
      case 'openSession':
        return this.job(cmd.jobId, (signal) => openSessionJob(ctx, cmd.jobId, cmd.path, signal));
      case 'getItem':
        return itemJob(ctx, cmd.requestId, cmd.index, cmd.noiseLevel);
      case 'getManifold':
        return manifoldJob(ctx, cmd.requestId, cmd.size);
      case 'exportCsv':
        return exportCsvJob(
          ctx,
          cmd.requestId,
          cmd.path,
          // Rows travel as base64 Int32 so a selection of every point fits the transport.
          cmd.rows === undefined ? undefined : Array.from(decodeI32(cmd.rows)),
          cmd.columns,
        );
      case 'getThumbnails':
        return thumbnailsJob(ctx, cmd.requestId, cmd.indices, cmd.maxSide);
      case 'search':
        return searchJob(ctx, cmd.requestId, cmd.query, cmd.limit);
      case 'saveSession':
        return saveSessionJob(ctx, cmd.requestId, cmd.path, cmd.view);
      case 'neighbors':
        return neighborsJob(ctx, cmd.requestId, cmd.index, cmd.k);
    }
  }

  private async hello(): Promise<void> {
    const backend = await selectBackend();
    this.emit({
      type: 'ready',
      // Where training splits batches across two threads, the name says so ("wasm ×2 threads").
      backend: describeBackend(backend.name),
      backendNotes: backend.notes,
      versions: {
        node: process.versions.node,
        tfjs: tf.version.tfjs,
        ...(process.versions.electron ? { electron: process.versions.electron } : {}),
      },
    });
  }

  /** Replaces the state whole and frees the model that is no longer part of it. */
  private commit(next: EngineState): EngineState {
    const before = this.current.trained;
    this.current = next;
    if (before && before !== next.trained) before.model.dispose();
    return next;
  }

  /**
   * After a TensorFlow.js job failed: if the backend no longer computes (a
   * huge allocation broke the wasm heap), start a fresh instance; the model
   * lived in the old one, so its record goes, and the front end is told.
   */
  private async recover(): Promise<void> {
    if (await backendWorks()) return;
    try {
      await recreateBackend();
    } catch (e) {
      this.emit({
        type: 'log',
        level: 'warn',
        message: `TensorFlow.js could not be restarted: ${(e as Error).message}`,
      });
      return;
    }
    const lost = this.current.trained !== null;
    this.commit(withoutTrained(this.current));
    const message = `TensorFlow.js (${tf.getBackend()}) failed and was restarted${lost ? '; the trained model was lost: train again' : ''}`;
    // The page drops its own Trained record (and what derives from it) on modelLost, as the engine just did.
    this.emit(lost ? { type: 'modelLost', message } : { type: 'log', level: 'warn', message });
  }

  private async job(jobId: string, run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.jobs.get(jobId)?.abort();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      await run(controller.signal);
    } finally {
      if (this.jobs.get(jobId) === controller) this.jobs.delete(jobId);
    }
  }

  /** Returns a progress reporter that throttles events to one per interval. */
  private progress(jobId: string, stage: Progress['stage']): Reporter {
    let last = 0;
    return (p, force = false) => {
      const now = performance.now();
      if (!force && now - last < this.progressIntervalMs && p.done < p.total) return;
      last = now;
      this.emit({ type: 'progress', progress: { jobId, stage, ...p } });
    };
  }
}
