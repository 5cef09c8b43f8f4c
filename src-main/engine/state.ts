/**
 * What the engine holds, as a chain of immutable records, each owning what it
 * was derived from (like openTSNE's TSNEEmbedding carrying its affinities):
 *
 *   LoadedDataset → Trained (model, codes, errors; knows its LoadedDataset)
 *                 ↘ Projection / Clusters (know their input: a Trained, or the LoadedDataset's pixels)
 *
 * The engine's state names the current record of each kind and is replaced
 * whole by the transitions below, never edited: loading a dataset starts a
 * new chain (everything downstream is gone), a new model drops what was
 * derived from the old one, and a result whose input is no longer current
 * (the dataset was replaced while a projection ran) is not taken in.
 *
 * A projection of the pixels survives a new training run: it was asked for
 * explicitly (`input: 'pixels'`), is derived from the dataset alone, so it is
 * exactly what re-running it would give (t-SNE of 70,000 images' pixels takes
 * minutes to redo), and the CSV and the session of it stay true. Clusters do
 * not: `cluster` means k-means of the current representation (the codes once
 * a model exists), so clusters of the pixels are stale once there are codes.
 * Front ends keep the same rules.
 */
import type { DatasetSource, EpochLog, ProjectionMetrics, ProjectParams, TrainParams } from '../protocol.js';
import { type Dataset, itemSize } from './datasets/types.js';
import type { TrainedAutoencoder } from './training/train.js';

/** A loaded dataset and the source it was loaded from (what sessions store to reload it). */
export interface LoadedDataset {
  readonly kind: 'dataset';
  readonly dataset: Dataset;
  readonly source: DatasetSource;
}

/** A model trained on `loaded`, with the codes and reconstruction errors of every item. */
export interface Trained {
  readonly kind: 'trained';
  readonly loaded: LoadedDataset;
  readonly model: TrainedAutoencoder;
  /** n×codeSize, row-major. */
  readonly codes: Float32Array;
  /** Per-item reconstruction error. */
  readonly errors: Float32Array;
  readonly params: TrainParams;
  readonly epochs: readonly EpochLog[];
  readonly meanError: number;
}

/** What a projection or a clustering was computed on: a model's codes, or a dataset's pixels. */
export type Input = LoadedDataset | Trained;

/** A 2-D map of `input`. */
export interface Projection {
  readonly kind: 'projection';
  readonly input: Input;
  readonly method: ProjectParams['method'];
  /** The parameters it ran with (absent for sessions saved before they were stored). */
  readonly params: ProjectParams | null;
  /** n×2, row-major. */
  readonly positions: Float32Array;
  readonly metrics: ProjectionMetrics | null;
}

/** A k-means clustering of `input`. */
export interface Clusters {
  readonly kind: 'clusters';
  readonly input: Input;
  readonly assignments: Int32Array;
  readonly sizes: readonly number[];
}

/** The current record of each kind; every non-null one belongs to `loaded`'s chain. */
export interface EngineState {
  readonly loaded: LoadedDataset | null;
  readonly trained: Trained | null;
  readonly projection: Projection | null;
  readonly clusters: Clusters | null;
}

/** Nothing loaded. */
export const EMPTY: EngineState = Object.freeze({ loaded: null, trained: null, projection: null, clusters: null });

/** The dataset an input belongs to. */
export function datasetOf(input: Input): LoadedDataset {
  return input.kind === 'trained' ? input.loaded : input;
}

/** Whether `input` is part of the current chain (so what was computed on it may be kept). */
export function isCurrent(state: EngineState, input: Input): boolean {
  return input.kind === 'trained' ? input === state.trained : input === state.loaded;
}

/** A new dataset: the head of a new chain, nothing downstream. */
export function withDataset(loaded: LoadedDataset): EngineState {
  return Object.freeze({ ...EMPTY, loaded });
}

/** A projection survives a change of model only if it is of the pixels. */
function pixelProjection(state: EngineState): Projection | null {
  return state.projection?.input.kind === 'dataset' ? state.projection : null;
}

/**
 * A new model for the current dataset: the projection of the previous
 * model's codes and all clusters go, a projection of the pixels stays.
 * Unchanged state when `trained` belongs to a dataset that is no longer loaded.
 */
export function withTrained(state: EngineState, trained: Trained): EngineState {
  if (trained.loaded !== state.loaded) return state;
  return Object.freeze({ ...state, trained, projection: pixelProjection(state), clusters: null });
}

/** The model is lost (its backend had to be restarted): the same as before any training run. */
export function withoutTrained(state: EngineState): EngineState {
  return Object.freeze({ ...state, trained: null, projection: pixelProjection(state), clusters: null });
}

/** A new projection; unchanged state when its input is no longer current. */
export function withProjection(state: EngineState, projection: Projection): EngineState {
  return isCurrent(state, projection.input) ? Object.freeze({ ...state, projection }) : state;
}

/** A new clustering; unchanged state when its input is no longer current. */
export function withClusters(state: EngineState, clusters: Clusters): EngineState {
  return isCurrent(state, clusters.input) ? Object.freeze({ ...state, clusters }) : state;
}

/**
 * The chain of an opened session, built at once: its dataset, model and
 * projection, each referencing the one before.
 */
export function sessionState(
  loaded: LoadedDataset,
  trained: Trained | null,
  projection: Projection | null,
): EngineState {
  let s = withDataset(loaded);
  if (trained) s = withTrained(s, trained);
  if (projection) s = withProjection(s, projection);
  return s;
}

/** The n×d matrix of an input: a model's codes, or the dataset's pixels scaled to [0, 1]. */
export function inputMatrix(input: Input): { data: Float32Array; d: number } {
  if (input.kind === 'trained') return { data: input.codes, d: input.model.codeSize };
  const ds = input.dataset;
  const data = new Float32Array(ds.pixels.length);
  for (let i = 0; i < data.length; i++) data[i] = ds.pixels[i]! / 255;
  return { data, d: itemSize(ds) };
}
