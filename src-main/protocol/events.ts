/**
 * The events the engine sends back. Large numeric arrays travel as base64 of
 * their little-endian bytes (`B64F32`, `B64U8`) so the same message works over
 * JSON transports.
 */
import type { DatasetSource, ModelKind, ProjectParams, SessionView } from './commands.js';

/** Base64 of a Float32Array's bytes. */
export type B64F32 = string;
/** Base64 of a Uint8Array's bytes. */
export type B64U8 = string;

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

/** How well a projection keeps the structure of its input, and how each figure was measured. */
export interface ProjectionMetrics {
  /** k-NN classification accuracy in 2-D (labelled data only), measured as `knnProtocol` says. */
  knnAccuracy?: number;
  /** The k of knnAccuracy (10). */
  knnK?: number;
  /**
   * 'in-sample leave-one-out': every labelled point is classified by the vote of its k nearest other labelled
   * points on the map; no split, nothing held out (the map was made with every point).
   */
  knnProtocol?: 'in-sample leave-one-out';
  /** Labelled points that were classified (all of them). */
  knnLabelled?: number;
  /** Trustworthiness (Venna & Kaski) on a random sample of points; 1 is perfect. */
  trustworthiness?: number;
  /** Points the trustworthiness sample held (each ranked against all n). */
  trustworthinessSample?: number;
  /** The k of trustworthiness (10). */
  trustworthinessK?: number;
  /** The space the high-dimensional neighbours were taken in: the projection's input. */
  trustworthinessOf?: 'codes' | 'pixels';
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
      /** What was projected: the model's codes or the pixels (absent from engines before it was sent). */
      input?: 'codes' | 'pixels';
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
  | {
      type: 'neighbors';
      requestId: string;
      index: number;
      /** What the distances are measured in: the model's codes, or the pixels (scaled to [0, 1]) before any model. */
      space: 'codes' | 'pixels';
      /** The k nearest items, nearest first (the item itself excluded). */
      indices: number[];
      /** Their Euclidean distances to the item in `space`, ascending. */
      distances: number[];
      /** The k nearest items on the engine's current map (absent without one), nearest first, to compare `indices` with. */
      mapIndices?: number[];
    }
  | { type: 'sessionSaved'; requestId: string; path: string; bytes: number }
  /** Sent after the datasetLoaded, trained and projection events that restore the map. */
  | { type: 'sessionOpened'; jobId: string; path: string; view: SessionView | null }
  /**
   * The engine process had died and a fresh one was started by the server or
   * the desktop shell: whatever was loaded, trained and projected is gone.
   */
  | { type: 'engineRestarted'; message: string }
  /**
   * TensorFlow.js failed and was restarted inside the engine: the trained
   * model (and every projection or clustering of its codes) is gone; the
   * dataset and a projection of the pixels stay.
   */
  | { type: 'modelLost'; message: string }
  | { type: 'error'; jobId?: string; requestId?: string; message: string }
  /** A note for the user; jobId names the job it is about, where there is one. */
  | { type: 'log'; jobId?: string; level: 'info' | 'warn'; message: string }
  // Watching a model learn: the live map and the per-batch loss of a training run under way.
  | {
      /** The codes of the model as trained so far, projected to 2-D (PCA, aligned with the previous snapshot). */
      type: 'trainSnapshot';
      jobId: string;
      /** The epoch under way (or just ended, with `endOfEpoch`). */
      epoch: number;
      endOfEpoch: boolean;
      /** Positions, row-major: n×2 for every item of the dataset, or m×2 for the items of `items`. */
      positions: B64F32;
      /** On large data, the sample mapped (ascending indices, base64 of an Int32Array); missing = every item. */
      items?: string;
      /** What this snapshot cost (encoding and projecting), in seconds. */
      seconds: number;
    }
  | {
      /** Batch losses since the previous trainLoss, averaged into one point (the engine throttles them). */
      type: 'trainLoss';
      jobId: string;
      /** Batches done in the run, counted from 1 over all epochs; the point's x. */
      step: number;
      /** Batches per epoch, so step / stepsPerEpoch is the point's x in epochs. */
      stepsPerEpoch: number;
      loss: number;
    };

export type EventType = EngineEvent['type'];
