/**
 * THE contract between the engine process and every front end (Electron
 * renderer via preload, web renderer via WebSocket, CLI in-process).
 *
 * Commands go to the engine, events come back. Every long job carries a
 * `jobId` chosen by the sender; progress, results and errors echo it so a
 * front end can tell jobs apart and cancel one.
 *
 * Large numeric arrays travel as base64 of their little-endian bytes
 * (`B64F32`, `B64U8`) so the same message works over JSON transports.
 * This file must stay free of Node and DOM imports: both sides compile it.
 */

/** Base64 of a Float32Array's bytes. */
export type B64F32 = string;
/** Base64 of a Uint8Array's bytes. */
export type B64U8 = string;

/** The autoencoder kinds the engine can build. */
export const MODEL_KINDS = ['simple', 'sparse', 'deep', 'conv', 'denoising', 'seq2seq', 'vae'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Where a dataset comes from. */
export type DatasetSource =
  /** The bundled MNIST (train + test, 70,000 images); `limit` takes the first N. */
  | { kind: 'mnist'; limit?: number }
  /** A folder on the engine's machine (or a CSV/.npy/IDX file), read with the given options. */
  | ({ kind: 'folder'; path: string; limit?: number } & FolderOptions);

/** How the images of a folder are normalised; omitted fields take the loader's defaults. */
export interface FolderOptions {
  /** Size every image is brought to, aspect kept by padding; omitted = the most common size in the folder. */
  size?: { width: number; height: number };
  /** Convert colour images to one grayscale channel even when the data has colour. */
  grayscale?: boolean;
}

/** Largest width or height a folder load may ask for. */
export const MAX_IMAGE_SIDE = 4096;

/** Hyper-parameters of one training run. Omitted fields take the model's defaults. */
export interface TrainParams {
  model: ModelKind;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Size of the code (latent) vector, for the kinds where it is free. */
  codeSize?: number;
  /** Denoising only: standard deviation of the training noise added to the inputs, 0–1 (default 0.5). */
  noiseLevel?: number;
  /** Sparse only: weight of the L1 penalty on the code's activations, 0–1 (default 1e-4). */
  l1?: number;
  /** Fraction of the data held out for validation loss (0 disables). */
  validationSplit?: number;
  seed?: number;
}

/** Parameters of one projection run. */
export interface ProjectParams {
  method: 'tsne' | 'pca' | 'umap';
  perplexity?: number;
  iterations?: number;
  seed?: number;
  /** What to project: the autoencoder's codes (default) or raw pixels. */
  input?: 'codes' | 'pixels';
}

/** Summary of a loaded dataset, shown before anything is trained. */
export interface DatasetInfo {
  name: string;
  source: DatasetSource;
  format: string;
  n: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  /** Count of items per class, aligned with classNames. */
  classCounts: number[];
  hasFiles: boolean;
  /** Every item that was skipped, each naming the file and the reason. */
  skipped: { file: string; reason: string }[];
  /** Things the user should know that are not skips, e.g. "312 images resized to 28×28". */
  notes: string[];
  /** True when the pixels came from the decoded-dataset cache rather than the files. */
  fromCache: boolean;
  /** Labels of every item (-1 = unlabeled), base64 of an Int32Array. */
  labels: string;
}

/** Optional CSV columns: reconstruction `error`, k-means `cluster`, the latent code as `z0..zK`. */
export const CSV_COLUMNS = ['error', 'cluster', 'code'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export type Command =
  | { type: 'hello' }
  | { type: 'loadDataset'; jobId: string; source: DatasetSource }
  | { type: 'train'; jobId: string; params: TrainParams }
  | { type: 'project'; jobId: string; params: ProjectParams }
  | { type: 'cancel'; jobId: string }
  /**
   * One item with its reconstruction. `noiseLevel` (0 to 1, denoising model
   * only) sets the noise of the noisy input the card shows; default: the
   * level the model was trained with.
   */
  | { type: 'getItem'; requestId: string; index: number; noiseLevel?: number }
  /**
   * The trained VAE's decoded latent plane (2-d latent only): a size×size grid
   * at the standard normal's quantiles, MANIFOLD_MIN_SIZE to MANIFOLD_MAX_SIZE
   * a side (default MANIFOLD_DEFAULT_SIZE).
   */
  | { type: 'getManifold'; requestId: string; size?: number }
  /** `rows`: only these items, in this order (e.g. a selection); default all. `columns`: optional extra columns. */
  | { type: 'exportCsv'; requestId: string; path?: string; rows?: number[]; columns?: CsvColumn[] }
  /** k-means on the autoencoder's codes (the pixels before training). */
  | { type: 'cluster'; jobId: string; k: number; seed?: number }
  /** Small images of some items, for grids; at most MAX_THUMBNAILS per request. */
  | { type: 'getThumbnails'; requestId: string; indices: number[]; maxSide?: number }
  /** Items whose index equals, or whose file name contains, the query. */
  | { type: 'search'; requestId: string; query: string; limit?: number }
  /** Saves dataset reference, model weights, codes, projection and `view` to one file (atomically). */
  | { type: 'saveSession'; requestId: string; path: string; view?: SessionView }
  /** Reopens a session without retraining; a bad file changes nothing. */
  | { type: 'openSession'; jobId: string; path: string };

/** The front end's view state stored in a session (camera, hidden classes...): small plain JSON. */
export type SessionView = Record<string, unknown>;

/** Most items one getThumbnails request may ask for. */
export const MAX_THUMBNAILS = 1024;

/** Grid sizes a getManifold request may ask for; the default is the Keras tutorial's 15×15. */
export const MANIFOLD_MIN_SIZE = 2;
export const MANIFOLD_MAX_SIZE = 30;
export const MANIFOLD_DEFAULT_SIZE = 15;

export type CommandType = Command['type'];

/** Progress of a long job, with rate and ETA where they are known. */
export interface Progress {
  jobId: string;
  stage: 'load' | 'train' | 'project';
  /** Human-readable one-liner, e.g. "epoch 3/10, batch 12/40". */
  message: string;
  done: number;
  total: number;
  /** Items per second (images for load/train, iterations for project). */
  rate?: number;
  rateUnit?: string;
  etaSeconds?: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  seconds: number;
}

/** How well a projection keeps the structure of its input. */
export interface ProjectionMetrics {
  /** Leave-one-out 10-NN classification accuracy in 2-D (labelled data only). */
  knnAccuracy?: number;
  /** Trustworthiness (k = 10) on a random sample of points; 1 is perfect. */
  trustworthiness?: number;
  /** Points the trustworthiness sample held. */
  trustworthinessSample?: number;
}

export type EngineEvent =
  | {
      type: 'ready';
      backend: string;
      /** Why better backends were not used, one line each. */
      backendNotes: string[];
      versions: Record<string, string>;
    }
  | { type: 'progress'; progress: Progress }
  | { type: 'datasetLoaded'; jobId: string; info: DatasetInfo }
  | { type: 'epoch'; jobId: string; log: EpochLog }
  | {
      type: 'trained';
      jobId: string;
      model: ModelKind;
      epochs: EpochLog[];
      cancelled: boolean;
      codeSize: number;
      /** Denoising model only: the noise level (standard deviation) it was trained with. */
      noiseLevel?: number;
      /** Mean per-pixel reconstruction error over the dataset. */
      meanError: number;
      /** Per-item reconstruction error (n float32), for colouring the map. */
      errors?: B64F32;
    }
  | {
      type: 'projection';
      jobId: string;
      method: ProjectParams['method'];
      /** n×2 positions, row-major. */
      positions: B64F32;
      iteration: number;
      final: boolean;
      cancelled?: boolean;
      kl?: number;
      seconds?: number;
      /** Quality of the final projection, computed by the engine. */
      metrics?: ProjectionMetrics;
    }
  | {
      type: 'item';
      requestId: string;
      index: number;
      label: number;
      file?: string;
      height: number;
      width: number;
      channels: number;
      original: B64U8;
      /** Missing until a model is trained. */
      reconstruction?: B64U8;
      /** Denoising model only: the item plus noise of `noiseLevel` (seeded by index: the same level gives the same image) … */
      noisy?: B64U8;
      /** … and the model's output for that noisy input. */
      denoised?: B64U8;
      /** The noise level of `noisy`. */
      noiseLevel?: number;
      /** Mean per-pixel binary cross-entropy of the reconstruction. */
      error?: number;
    }
  | {
      type: 'manifold';
      requestId: string;
      /** Cells per side. */
      size: number;
      /** Size of one cell (the dataset's image size). */
      height: number;
      width: number;
      channels: number;
      /**
       * The latent values of the grid's columns (z₁, left to right) and, in
       * reverse, of its rows (z₂, top row = largest): the standard normal's
       * quantiles from 5% to 95%.
       */
      z: number[];
      /** One tiled image, size·height rows of size·width pixels, HWC uint8. */
      pixels: B64U8;
    }
  | { type: 'csv'; requestId: string; text?: string; path?: string; rows: number }
  | {
      type: 'clusters';
      jobId: string;
      k: number;
      /** Cluster of each item, base64 of an Int32Array. */
      assignments: string;
      sizes: number[];
      input: 'codes' | 'pixels';
      seconds: number;
    }
  | {
      type: 'thumbnails';
      requestId: string;
      indices: number[];
      height: number;
      width: number;
      channels: number;
      /** indices.length images of height·width·channels bytes each, HWC. */
      pixels: B64U8;
    }
  | { type: 'searchResults'; requestId: string; query: string; indices: number[]; files?: string[] }
  | { type: 'sessionSaved'; requestId: string; path: string; bytes: number }
  /** Sent after the datasetLoaded, trained and projection events that restore the map. */
  | { type: 'sessionOpened'; jobId: string; path: string; view: SessionView | null }
  | { type: 'error'; jobId?: string; requestId?: string; message: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export type EventType = EngineEvent['type'];

/** Checks that an untrusted value is a well-formed command; returns an error message or null. */
export function validateCommand(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'command must be an object';
  const c = value as Record<string, unknown>;
  const str = (k: string) => typeof c[k] === 'string' && (c[k] as string).length <= 200;
  switch (c.type) {
    case 'hello':
      return null;
    case 'loadDataset': {
      if (!str('jobId')) return 'loadDataset needs a jobId';
      const s = c.source as Record<string, unknown> | undefined;
      if (!s || typeof s !== 'object') return 'loadDataset needs a source';
      if (s.limit !== undefined && !(Number.isInteger(s.limit) && (s.limit as number) > 0))
        return 'source.limit must be a positive integer';
      if (s.kind === 'mnist') return null;
      if (s.kind === 'folder') {
        if (!(typeof s.path === 'string' && s.path.length > 0 && s.path.length < 4096))
          return 'source.path must be a non-empty string';
        return folderOptionsProblem(s);
      }
      return 'source.kind must be "mnist" or "folder"';
    }
    case 'train': {
      if (!str('jobId')) return 'train needs a jobId';
      const p = c.params as Record<string, unknown> | undefined;
      if (!p || typeof p !== 'object') return 'train needs params';
      if (!MODEL_KINDS.includes(p.model as ModelKind)) return `unknown model "${String(p.model)}"`;
      for (const k of ['epochs', 'batchSize', 'codeSize', 'seed']) {
        if (p[k] !== undefined && !(Number.isInteger(p[k]) && (p[k] as number) >= 0))
          return `params.${k} must be a non-negative integer`;
      }
      for (const k of ['learningRate', 'validationSplit']) {
        if (p[k] !== undefined && !(typeof p[k] === 'number' && Number.isFinite(p[k])))
          return `params.${k} must be a number`;
      }
      for (const k of ['noiseLevel', 'l1']) {
        if (p[k] !== undefined && !(typeof p[k] === 'number' && p[k] >= 0 && p[k] <= 1))
          return `params.${k} must be a number from 0 to 1`;
      }
      return null;
    }
    case 'project': {
      if (!str('jobId')) return 'project needs a jobId';
      const p = c.params as Record<string, unknown> | undefined;
      if (!p || typeof p !== 'object') return 'project needs params';
      if (!['tsne', 'pca', 'umap'].includes(p.method as string)) return 'params.method must be tsne, pca or umap';
      for (const k of ['perplexity', 'iterations', 'seed']) {
        if (p[k] !== undefined && !(typeof p[k] === 'number' && Number.isFinite(p[k]) && (p[k] as number) >= 0))
          return `params.${k} must be a non-negative number`;
      }
      if (p.input !== undefined && p.input !== 'codes' && p.input !== 'pixels')
        return 'params.input must be "codes" or "pixels"';
      return null;
    }
    case 'cancel':
      return str('jobId') ? null : 'cancel needs a jobId';
    case 'getItem':
      if (!(str('requestId') && Number.isInteger(c.index) && (c.index as number) >= 0))
        return 'getItem needs a requestId and a non-negative integer index';
      if (c.noiseLevel !== undefined && !isNumberIn(c.noiseLevel, 0, 1))
        return 'getItem noiseLevel must be a number from 0 to 1';
      return null;
    case 'getManifold':
      if (!str('requestId')) return 'getManifold needs a requestId';
      if (
        c.size !== undefined &&
        !(Number.isInteger(c.size) && isNumberIn(c.size, MANIFOLD_MIN_SIZE, MANIFOLD_MAX_SIZE))
      )
        return `getManifold size must be an integer from ${MANIFOLD_MIN_SIZE} to ${MANIFOLD_MAX_SIZE}`;
      return null;
    case 'exportCsv':
      if (!str('requestId')) return 'exportCsv needs a requestId';
      if (c.path !== undefined && (typeof c.path !== 'string' || c.path.length === 0))
        return 'exportCsv path must be a non-empty string';
      if (c.rows !== undefined && !isIndexList(c.rows, 10_000_000))
        return 'exportCsv rows must be an array of non-negative integers';
      if (
        c.columns !== undefined &&
        !(
          Array.isArray(c.columns) &&
          c.columns.every((k) => CSV_COLUMNS.includes(k as CsvColumn)) &&
          new Set(c.columns).size === c.columns.length
        )
      )
        return `exportCsv columns must be distinct names among ${CSV_COLUMNS.join(', ')}`;
      return null;
    case 'cluster':
      if (!str('jobId')) return 'cluster needs a jobId';
      if (!(Number.isInteger(c.k) && (c.k as number) >= 1 && (c.k as number) <= 256))
        return 'cluster k must be an integer from 1 to 256';
      if (c.seed !== undefined && !(Number.isInteger(c.seed) && (c.seed as number) >= 0))
        return 'cluster seed must be a non-negative integer';
      return null;
    case 'getThumbnails':
      if (!str('requestId')) return 'getThumbnails needs a requestId';
      if (!isIndexList(c.indices, MAX_THUMBNAILS))
        return `getThumbnails indices must be at most ${MAX_THUMBNAILS} non-negative integers`;
      if (
        c.maxSide !== undefined &&
        !(Number.isInteger(c.maxSide) && (c.maxSide as number) >= 4 && (c.maxSide as number) <= 256)
      )
        return 'getThumbnails maxSide must be an integer from 4 to 256';
      return null;
    case 'search':
      if (!str('requestId')) return 'search needs a requestId';
      if (!str('query') || (c.query as string).trim().length === 0)
        return 'search needs a non-empty query of at most 200 characters';
      if (
        c.limit !== undefined &&
        !(Number.isInteger(c.limit) && (c.limit as number) >= 1 && (c.limit as number) <= 1000)
      )
        return 'search limit must be an integer from 1 to 1000';
      return null;
    case 'saveSession':
      if (!str('requestId')) return 'saveSession needs a requestId';
      if (typeof c.path !== 'string' || c.path.length === 0 || c.path.length >= 4096) return 'saveSession needs a path';
      if (c.view !== undefined) {
        if (typeof c.view !== 'object' || c.view === null || Array.isArray(c.view))
          return 'saveSession view must be an object';
        let size = Infinity;
        try {
          size = JSON.stringify(c.view).length;
        } catch {
          // not serialisable: reported below
        }
        if (!(size <= 100_000)) return 'saveSession view must be plain JSON under 100 kB';
      }
      return null;
    case 'openSession':
      if (!str('jobId')) return 'openSession needs a jobId';
      return typeof c.path === 'string' && c.path.length > 0 && c.path.length < 4096
        ? null
        : 'openSession needs a path';
    default:
      return `unknown command type "${String(c.type)}"`;
  }
}

/** Why a folder source's options are malformed, or null. */
function folderOptionsProblem(s: Record<string, unknown>): string | null {
  if (s.grayscale !== undefined && typeof s.grayscale !== 'boolean') return 'source.grayscale must be true or false';
  if (s.size === undefined) return null;
  const z = s.size as Record<string, unknown> | null;
  const side = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_IMAGE_SIDE;
  if (typeof z !== 'object' || z === null || !side(z.width) || !side(z.height))
    return `source.size must be { width, height } in whole pixels from 1 to ${MAX_IMAGE_SIDE}`;
  return null;
}

function isNumberIn(v: unknown, lo: number, hi: number): boolean {
  return typeof v === 'number' && v >= lo && v <= hi;
}

function isIndexList(v: unknown, max: number): boolean {
  return Array.isArray(v) && v.length <= max && v.every((i) => Number.isInteger(i) && i >= 0);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INV = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Base64-encodes bytes without Node's Buffer, so the renderer can use it too. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      s += i + 1 < end ? B64[(n >> 6) & 63] : '=';
      s += i + 2 < end ? B64[n & 63] : '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Decodes base64 produced by bytesToBase64 (or any standard base64). */
export function base64ToBytes(s: string): Uint8Array {
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const v = B64_INV[s.charCodeAt(i) & 127];
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/** Float32Array → base64 (little-endian bytes, as every supported platform stores them). */
export function encodeF32(a: Float32Array): B64F32 {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** base64 → Float32Array. */
export function decodeF32(s: B64F32): Float32Array {
  const bytes = base64ToBytes(s);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/** Int32Array → base64. */
export function encodeI32(a: Int32Array): string {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** base64 → Int32Array. */
export function decodeI32(s: string): Int32Array {
  const bytes = base64ToBytes(s);
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/**
 * The verb-named API every front end sees, whatever the transport
 * (Electron preload, WebSocket). The renderer codes only against this.
 */
export interface EngineApi {
  hello(): void;
  loadDataset(jobId: string, source: DatasetSource): void;
  train(jobId: string, params: TrainParams): void;
  project(jobId: string, params: ProjectParams): void;
  cancel(jobId: string): void;
  getItem(requestId: string, index: number, noiseLevel?: number): void;
  getManifold(requestId: string, size?: number): void;
  exportCsv(requestId: string, path?: string, rows?: number[], columns?: CsvColumn[]): void;
  cluster(jobId: string, k: number, seed?: number): void;
  getThumbnails(requestId: string, indices: number[], maxSide?: number): void;
  search(requestId: string, query: string, limit?: number): void;
  saveSession(requestId: string, path: string, view?: SessionView): void;
  openSession(jobId: string, path: string): void;
  /** Subscribes to every engine event; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

/** Builds the command for an EngineApi verb call, so transports share one mapping. */
export const commandFor = {
  hello: (): Command => ({ type: 'hello' }),
  loadDataset: (jobId: string, source: DatasetSource): Command => ({ type: 'loadDataset', jobId, source }),
  train: (jobId: string, params: TrainParams): Command => ({ type: 'train', jobId, params }),
  project: (jobId: string, params: ProjectParams): Command => ({ type: 'project', jobId, params }),
  cancel: (jobId: string): Command => ({ type: 'cancel', jobId }),
  getItem: (requestId: string, index: number, noiseLevel?: number): Command =>
    noiseLevel === undefined
      ? { type: 'getItem', requestId, index }
      : { type: 'getItem', requestId, index, noiseLevel },
  getManifold: (requestId: string, size?: number): Command =>
    size === undefined ? { type: 'getManifold', requestId } : { type: 'getManifold', requestId, size },
  exportCsv: (requestId: string, path?: string, rows?: number[], columns?: CsvColumn[]): Command => ({
    type: 'exportCsv',
    requestId,
    path,
    ...(rows ? { rows } : {}),
    ...(columns && columns.length > 0 ? { columns } : {}),
  }),
  cluster: (jobId: string, k: number, seed?: number): Command => ({ type: 'cluster', jobId, k, seed }),
  getThumbnails: (requestId: string, indices: number[], maxSide?: number): Command => ({
    type: 'getThumbnails',
    requestId,
    indices,
    maxSide,
  }),
  search: (requestId: string, query: string, limit?: number): Command => ({ type: 'search', requestId, query, limit }),
  saveSession: (requestId: string, path: string, view?: SessionView): Command => ({
    type: 'saveSession',
    requestId,
    path,
    view,
  }),
  openSession: (jobId: string, path: string): Command => ({ type: 'openSession', jobId, path }),
};

/** Wraps a raw `send(command)` into the verb-named EngineApi. */
export function engineApiFrom(
  send: (command: Command) => void,
  onEvent: (listener: (event: EngineEvent) => void) => () => void,
): EngineApi {
  return {
    hello: () => send(commandFor.hello()),
    loadDataset: (jobId, source) => send(commandFor.loadDataset(jobId, source)),
    train: (jobId, params) => send(commandFor.train(jobId, params)),
    project: (jobId, params) => send(commandFor.project(jobId, params)),
    cancel: (jobId) => send(commandFor.cancel(jobId)),
    getItem: (requestId, index, noiseLevel) => send(commandFor.getItem(requestId, index, noiseLevel)),
    getManifold: (requestId, size) => send(commandFor.getManifold(requestId, size)),
    exportCsv: (requestId, path, rows, columns) => send(commandFor.exportCsv(requestId, path, rows, columns)),
    cluster: (jobId, k, seed) => send(commandFor.cluster(jobId, k, seed)),
    getThumbnails: (requestId, indices, maxSide) => send(commandFor.getThumbnails(requestId, indices, maxSide)),
    search: (requestId, query, limit) => send(commandFor.search(requestId, query, limit)),
    saveSession: (requestId, path, view) => send(commandFor.saveSession(requestId, path, view)),
    openSession: (jobId, path) => send(commandFor.openSession(jobId, path)),
    onEvent,
  };
}
