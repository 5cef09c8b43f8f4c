import * as tf from '@tensorflow/tfjs';

import type {
  Command,
  CsvColumn,
  DatasetInfo,
  DatasetSource,
  EngineEvent,
  EpochLog,
  Progress,
  ProjectionMetrics,
  ProjectParams,
  SessionView,
  TrainParams,
} from '../protocol.js';
import { bytesToBase64, decodeI32, encodeF32, encodeI32, validateCommand } from '../protocol.js';
import { selectBackend } from './backends/select.js';
import { kmeans, seededRandom } from './clustering/kmeans.js';
import { loadDataset } from './datasets/index.js';
import { classCounts, type Dataset, itemSize } from './datasets/types.js';
import { projectionsCsv, writeFileAtomic } from './export/csv.js';
import { datasetFingerprint, readSession, writeSession } from './export/session.js';
import { modelWeights, restoreModel } from './export/session-model.js';
import { knnAccuracy, trustworthiness } from './metrics/index.js';
import { DEFAULT_NOISE_LEVEL } from './models/denoising.js';
import { denoisePreview, manifoldImage, toBytes } from './previews.js';
import { runProjection } from './projection/run.js';
import { describeBackend } from './training/parallel.js';
import { trainAutoencoder, TrainedAutoencoder } from './training/train.js';

/** Options of an engine instance. */
export interface EngineOptions {
  /** Milliseconds between two progress events of one job (the last one always goes). */
  progressIntervalMs?: number;
}

/** Raised inside a job when its AbortSignal fires. */
function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /aborted/i.test(e.message));
}

/**
 * The engine: holds the dataset, the trained model, the codes and the current
 * projection, runs one job per command and reports through `emit`. It knows
 * nothing of its transport: the worker process, the CLI and tests drive it alike.
 */
export class Engine {
  private dataset: Dataset | null = null;
  private model: TrainedAutoencoder | null = null;
  private codes: Float32Array | null = null;
  private errors: Float32Array | null = null;
  private projection: { method: ProjectParams['method']; positions: Float32Array } | null = null;
  /** What sessions store besides the state above: the source as loaded and the run parameters. */
  private source: DatasetSource | null = null;
  private trainInfo: { params: TrainParams; epochs: EpochLog[]; meanError: number } | null = null;
  private projectParams: ProjectParams | null = null;
  /** The last k-means result, with the dataset and codes it was computed on (it is stale once either changes). */
  private clusters: { assignments: Int32Array; dataset: Dataset; codes: Float32Array | null } | null = null;
  private readonly jobs = new Map<string, AbortController>();
  private readonly progressIntervalMs: number;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    options: EngineOptions = {},
  ) {
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  /** Handles one untrusted command; never throws (errors become error events). */
  async handle(raw: unknown): Promise<void> {
    const problem = validateCommand(raw);
    if (problem) {
      this.emit({ type: 'error', message: `bad command: ${problem}` });
      return;
    }
    const cmd = raw as Command;
    try {
      switch (cmd.type) {
        case 'hello':
          return await this.hello();
        case 'cancel':
          this.jobs.get(cmd.jobId)?.abort();
          return;
        case 'loadDataset':
          return await this.job(cmd.jobId, (signal) => this.load(cmd.jobId, cmd.source, signal));
        case 'train':
          return await this.job(cmd.jobId, (signal) => this.train(cmd.jobId, cmd.params, signal));
        case 'project':
          return await this.job(cmd.jobId, (signal) => this.project(cmd.jobId, cmd.params, signal));
        case 'getItem':
          return await this.item(cmd.requestId, cmd.index, cmd.noiseLevel);
        case 'getManifold':
          return await this.manifold(cmd.requestId, cmd.size);
        case 'exportCsv':
          return await this.exportCsv(
            cmd.requestId,
            cmd.path,
            cmd.rows === undefined ? undefined : Array.from(decodeI32(cmd.rows)),
            cmd.columns,
          );
        case 'cluster':
          return await this.job(cmd.jobId, (signal) => this.cluster(cmd.jobId, cmd.k, cmd.seed, signal));
        case 'getThumbnails':
          return this.thumbnails(cmd.requestId, cmd.indices, cmd.maxSide);
        case 'search':
          return this.search(cmd.requestId, cmd.query, cmd.limit);
        case 'saveSession':
          return await this.saveSession(cmd.requestId, cmd.path, cmd.view);
        case 'openSession':
          return await this.job(cmd.jobId, (signal) => this.openSession(cmd.jobId, cmd.path, signal));
      }
    } catch (e) {
      const message = isAbort(e) ? `${cmd.type} cancelled` : e instanceof Error ? e.message : String(e);
      const ids = 'jobId' in cmd ? { jobId: cmd.jobId } : 'requestId' in cmd ? { requestId: cmd.requestId } : {};
      this.emit({ type: 'error', ...ids, message });
    }
  }

  /** The current state, for the CLI and tests. */
  get state() {
    return {
      dataset: this.dataset,
      model: this.model,
      codes: this.codes,
      errors: this.errors,
      projection: this.projection,
    };
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
  private progress(jobId: string, stage: Progress['stage']) {
    let last = 0;
    return (p: Omit<Progress, 'jobId' | 'stage'>, force = false) => {
      const now = performance.now();
      if (!force && now - last < this.progressIntervalMs && p.done < p.total) return;
      last = now;
      this.emit({ type: 'progress', progress: { jobId, stage, ...p } });
    };
  }

  private async load(jobId: string, source: DatasetSource, signal: AbortSignal) {
    const report = this.progress(jobId, 'load');
    const t0 = performance.now();
    const ds = await loadDataset(source, {
      signal,
      onProgress: (done, total) => {
        const rate = done / Math.max((performance.now() - t0) / 1000, 1e-3);
        report({
          message: `loaded ${done}/${total}`,
          done,
          total,
          rate,
          rateUnit: 'images/s',
          etaSeconds: (total - done) / rate,
        });
      },
    });
    this.model?.dispose();
    this.dataset = ds;
    this.source = source;
    this.model = null;
    this.codes = null;
    this.errors = null;
    this.projection = null;
    this.emit({ type: 'datasetLoaded', jobId, info: datasetInfo(ds, source) });
  }

  private needDataset(): Dataset {
    if (!this.dataset) throw new Error('no dataset is loaded');
    return this.dataset;
  }

  private async train(jobId: string, params: TrainParams, signal: AbortSignal) {
    const ds = this.needDataset();
    const report = this.progress(jobId, 'train');
    const result = await trainAutoencoder(ds, params, {
      signal,
      onBatch: (p) =>
        report({
          message: `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toFixed(4)}`,
          done: (p.epoch - 1) * p.batches + p.batch,
          total: p.epochs * p.batches,
          rate: p.imagesPerSecond,
          rateUnit: 'images/s',
          etaSeconds: p.etaSeconds,
        }),
      onEpoch: (log) => this.emit({ type: 'epoch', jobId, log }),
    });
    // The run went on with one thread where the helper could not start or failed: say why.
    if (result.threadsNote) this.emit({ type: 'log', level: 'warn', message: result.threadsNote });
    this.model?.dispose();
    this.model = result.model;
    this.projection = null;
    report({ message: 'encoding', done: 0, total: 1 }, true);
    this.codes = await result.model.encode(ds);
    this.errors = await result.model.reconstructionErrors(ds);
    let sum = 0;
    for (const e of this.errors) sum += e;
    this.trainInfo = { params, epochs: result.epochs, meanError: sum / ds.n };
    this.emit({
      type: 'trained',
      jobId,
      model: result.model.kind,
      epochs: result.epochs,
      cancelled: result.cancelled,
      codeSize: result.model.codeSize,
      ...trainingNoise(result.model, params),
      meanError: sum / ds.n,
      errors: encodeF32(this.errors),
    });
  }

  /** The n×d matrix to project: the codes, or the pixels scaled to [0, 1]. */
  private projectionInput(params: ProjectParams): { data: Float32Array; d: number } {
    const ds = this.needDataset();
    if ((params.input ?? 'codes') === 'codes') {
      if (!this.codes || !this.model) throw new Error('train a model first: there are no codes to project');
      return { data: this.codes, d: this.model.codeSize };
    }
    const data = new Float32Array(ds.pixels.length);
    for (let i = 0; i < data.length; i++) data[i] = ds.pixels[i] / 255;
    return { data, d: itemSize(ds) };
  }

  /** Quality metrics of a 2-D projection of the n×d input (sampled where exact would be slow). */
  private metrics(input: Float32Array, d: number, positions: Float32Array): ProjectionMetrics {
    const ds = this.needDataset();
    const out: ProjectionMetrics = {};
    if (ds.labels.some((l) => l >= 0)) out.knnAccuracy = knnAccuracy(positions, ds.n, 2, ds.labels, 10);
    if (ds.n > 40) {
      const sample = ds.n > 20_000 ? 300 : 1000;
      out.trustworthiness = trustworthiness(input, d, positions, 2, ds.n, 10, sample, 1);
      out.trustworthinessSample = Math.min(sample, ds.n);
    }
    return out;
  }

  private async project(jobId: string, params: ProjectParams, signal: AbortSignal) {
    const ds = this.needDataset();
    const { data, d } = this.projectionInput(params);
    const report = this.progress(jobId, 'project');
    const t0 = performance.now();
    const r = await runProjection(data, ds.n, d, params, {
      signal,
      onProgress: report,
      onPartial: (positions, iteration, kl) =>
        this.emit({
          type: 'projection',
          jobId,
          method: params.method,
          positions: encodeF32(positions),
          iteration,
          final: false,
          kl,
        }),
    });
    // A run cancelled before its first iteration has nothing to show: keep the previous projection.
    if (r.positions.length === 2 * ds.n) {
      this.projection = { method: params.method, positions: r.positions };
      this.projectParams = params;
    }
    this.emit({
      type: 'projection',
      jobId,
      method: params.method,
      positions: encodeF32(r.positions),
      iteration: r.iteration,
      final: true,
      cancelled: r.cancelled,
      kl: r.kl,
      seconds: (performance.now() - t0) / 1000,
      metrics: r.positions.length === 2 * ds.n ? this.metrics(data, d, r.positions) : undefined,
    });
  }

  private async item(requestId: string, index: number, noiseLevel?: number) {
    const ds = this.needDataset();
    if (index >= ds.n) throw new Error(`item ${index} is out of range (the dataset has ${ds.n})`);
    const size = itemSize(ds);
    const original = ds.pixels.subarray(index * size, (index + 1) * size);
    let reconstruction: string | undefined;
    if (this.model) {
      reconstruction = bytesToBase64(toBytes(await this.model.reconstruct(ds, Int32Array.of(index))));
    }
    // The denoising model's card also shows a noisy input (at the asked level, else the training one) and its output.
    let denoise: { noisy: string; denoised: string; noiseLevel: number } | undefined;
    if (this.model?.kind === 'denoising') {
      const level = noiseLevel ?? this.trainInfo?.params.noiseLevel ?? DEFAULT_NOISE_LEVEL;
      const p = await denoisePreview(this.model, ds, index, level);
      denoise = { noisy: bytesToBase64(p.noisy), denoised: bytesToBase64(p.denoised), noiseLevel: level };
    }
    this.emit({
      type: 'item',
      ...denoise,
      requestId,
      index,
      label: ds.labels[index],
      file: ds.files?.[index],
      height: ds.height,
      width: ds.width,
      channels: ds.channels,
      original: bytesToBase64(original),
      reconstruction,
      error: this.errors?.[index],
    });
  }

  /** The trained VAE's decoded latent plane, tiled into one image. */
  private async manifold(requestId: string, size?: number) {
    const ds = this.needDataset();
    if (!this.model) throw new Error('train a variational autoencoder with code size 2 first: no model is trained');
    const m = await manifoldImage(this.model, ds, size);
    this.emit({
      type: 'manifold',
      requestId,
      size: m.size,
      height: ds.height,
      width: ds.width,
      channels: ds.channels,
      z: m.z,
      pixels: bytesToBase64(m.pixels),
    });
  }

  private async exportCsv(requestId: string, file?: string, rows?: number[], columns: CsvColumn[] = []) {
    const ds = this.needDataset();
    if (!this.projection) throw new Error('nothing to export yet: project the dataset first');
    const bad = rows?.find((i) => i >= ds.n);
    if (bad !== undefined) throw new Error(`row ${bad} is out of range (the dataset has ${ds.n})`);
    const want = new Set(columns);
    if (want.has('error') && !this.errors)
      throw new Error('no reconstruction errors to export yet: train a model first');
    if (want.has('code') && !(this.codes && this.model))
      throw new Error('no latent codes to export yet: train a model first');
    const clusters =
      this.clusters && this.clusters.dataset === ds && this.clusters.codes === this.codes
        ? this.clusters.assignments
        : null;
    if (want.has('cluster') && !clusters)
      throw new Error('no k-means clusters of the current codes to export: run k-means first');
    const text = projectionsCsv({
      positions: this.projection.positions,
      labels: ds.labels,
      classNames: ds.classNames,
      files: ds.files,
      rows,
      errors: want.has('error') ? this.errors : null,
      clusters: want.has('cluster') ? clusters : null,
      codes: want.has('code') && this.codes && this.model ? { data: this.codes, size: this.model.codeSize } : null,
    });
    const count = rows?.length ?? ds.n;
    if (file) {
      await writeFileAtomic(file, text);
      this.emit({ type: 'csv', requestId, path: file, rows: count });
    } else {
      this.emit({ type: 'csv', requestId, text, rows: count });
    }
  }

  /** k-means on the codes (or on the pixels when no model is trained yet). */
  private async cluster(jobId: string, k: number, seed: number | undefined, signal: AbortSignal) {
    const ds = this.needDataset();
    const input = this.codes && this.model ? 'codes' : 'pixels';
    const { data, d } = this.projectionInput({ method: 'tsne', input });
    const t0 = performance.now();
    const result = kmeans(data, ds.n, d, { k, random: seededRandom(seed ?? 1), signal });
    this.clusters = { assignments: result.assignments, dataset: ds, codes: input === 'codes' ? this.codes : null };
    this.emit({
      type: 'clusters',
      jobId,
      k: result.sizes.length,
      assignments: encodeI32(result.assignments),
      sizes: result.sizes,
      input,
      seconds: (performance.now() - t0) / 1000,
    });
  }

  /** Nearest-neighbour downsampled images of some items, at most maxSide pixels a side. */
  private thumbnails(requestId: string, indices: number[], maxSide = 32) {
    const ds = this.needDataset();
    const bad = indices.find((i) => i >= ds.n);
    if (bad !== undefined) throw new Error(`item ${bad} is out of range (the dataset has ${ds.n})`);
    const f = Math.max(1, Math.max(ds.height, ds.width) / maxSide);
    const h = Math.max(1, Math.round(ds.height / f));
    const w = Math.max(1, Math.round(ds.width / f));
    const ch = ds.channels;
    const size = itemSize(ds);
    const out = new Uint8Array(indices.length * h * w * ch);
    let o = 0;
    for (const index of indices) {
      const base = index * size;
      for (let y = 0; y < h; y++) {
        const sy = Math.min(ds.height - 1, Math.floor(y * f));
        for (let x = 0; x < w; x++) {
          const sx = Math.min(ds.width - 1, Math.floor(x * f));
          const s = base + (sy * ds.width + sx) * ch;
          for (let c = 0; c < ch; c++) out[o++] = ds.pixels[s + c];
        }
      }
    }
    this.emit({
      type: 'thumbnails',
      requestId,
      indices,
      height: h,
      width: w,
      channels: ch,
      pixels: bytesToBase64(out),
    });
  }

  /** An exact index match first, then items whose file name contains the query (case-insensitive). */
  private search(requestId: string, query: string, limit = 20) {
    const ds = this.needDataset();
    const q = query.trim();
    const indices: number[] = [];
    if (/^\d+$/.test(q) && Number(q) < ds.n) indices.push(Number(q));
    if (ds.files) {
      const needle = q.toLowerCase();
      for (let i = 0; i < ds.n && indices.length < limit; i++) {
        if (i !== indices[0] && ds.files[i].toLowerCase().includes(needle)) indices.push(i);
      }
    }
    this.emit({
      type: 'searchResults',
      requestId,
      query,
      indices,
      ...(ds.files ? { files: indices.map((i) => ds.files![i]) } : {}),
    });
  }

  /** Saves everything needed to reopen the map without retraining, atomically. */
  private async saveSession(requestId: string, file: string, view?: SessionView) {
    const ds = this.needDataset();
    const source = this.source ?? { kind: 'mnist' as const, limit: ds.n };
    const bytes = await writeSession(file, {
      dataset: {
        // A folder is stored by its absolute path, so the session opens from anywhere.
        source: source.kind === 'folder' ? { ...source, path: ds.source } : source,
        name: ds.name,
        n: ds.n,
        height: ds.height,
        width: ds.width,
        channels: ds.channels,
        fingerprint: datasetFingerprint(ds),
      },
      model:
        this.model && this.trainInfo
          ? {
              kind: this.model.kind,
              codeSize: this.model.codeSize,
              ...this.trainInfo,
              weights: await modelWeights(this.model),
            }
          : null,
      codes: this.model ? this.codes : null,
      errors: this.model ? this.errors : null,
      projection: this.projection
        ? { ...this.projection, ...(this.projectParams ? { params: this.projectParams } : {}) }
        : null,
      view: view ?? null,
    });
    this.emit({ type: 'sessionSaved', requestId, path: file, bytes });
  }

  /**
   * Reopens a session: reads and checks the whole file, reloads its dataset
   * and checks it is the same data, rebuilds the model, and only then
   * replaces the current state, so a bad file or a changed dataset changes nothing.
   */
  private async openSession(jobId: string, file: string, signal: AbortSignal) {
    const s = await readSession(file);
    const report = this.progress(jobId, 'load');
    const ds = await loadDataset(s.dataset.source, {
      signal,
      onProgress: (done, total) => report({ message: `loading the session's dataset: ${done}/${total}`, done, total }),
    });
    if (ds.n !== s.dataset.n || datasetFingerprint(ds) !== s.dataset.fingerprint)
      throw new Error(
        `${file}: the dataset ${s.dataset.name} (${ds.source}) has changed since the session was saved; it cannot be reopened on different images`,
      );
    const model = s.model ? restoreModel(s.model, ds) : null;
    this.model?.dispose();
    this.dataset = ds;
    this.source = s.dataset.source;
    this.model = model;
    this.codes = model ? s.codes : null;
    this.errors = model ? s.errors : null;
    this.trainInfo = s.model ? { params: s.model.params, epochs: s.model.epochs, meanError: s.model.meanError } : null;
    this.projection = s.projection ? { method: s.projection.method, positions: s.projection.positions } : null;
    this.projectParams = s.projection?.params ?? null;
    this.emit({ type: 'datasetLoaded', jobId, info: datasetInfo(ds, s.dataset.source) });
    if (model && s.model)
      this.emit({
        type: 'trained',
        jobId,
        model: model.kind,
        epochs: s.model.epochs,
        cancelled: false,
        codeSize: model.codeSize,
        ...trainingNoise(model, s.model.params),
        meanError: s.model.meanError,
        ...(this.errors ? { errors: encodeF32(this.errors) } : {}),
      });
    if (this.projection)
      this.emit({
        type: 'projection',
        jobId,
        method: this.projection.method,
        positions: encodeF32(this.projection.positions),
        iteration: 0,
        final: true,
      });
    this.emit({ type: 'sessionOpened', jobId, path: file, view: s.view });
  }
}

/** The denoising model's training noise level, for the `trained` event (nothing for other kinds). */
function trainingNoise(model: TrainedAutoencoder, params: TrainParams): { noiseLevel?: number } {
  return model.kind === 'denoising' ? { noiseLevel: params.noiseLevel ?? DEFAULT_NOISE_LEVEL } : {};
}

/** What front ends are told about a loaded dataset. */
function datasetInfo(ds: Dataset, source: DatasetSource): DatasetInfo {
  return {
    name: ds.name,
    source,
    format: ds.format,
    n: ds.n,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classNames: ds.classNames,
    classCounts: classCounts(ds),
    hasFiles: ds.files !== null,
    skipped: ds.skipped,
    notes: ds.notes ?? [],
    fromCache: ds.fromCache === true,
    labels: encodeI32(ds.labels),
  };
}
