/**
 * The page's part of a session: the camera, colouring, hidden categories and
 * the hyper-parameters in the side panel (not a projection shown beside the
 * map: the session holds one projection). Stored as plain JSON in the .aex
 * file (the engine keeps the data, model, codes and projection), and read
 * back defensively: a session from an older or other front end may lack any
 * field, and bad values are skipped, never trusted.
 */
import {
  type DatasetSource,
  MODEL_KINDS,
  type ModelKind,
  type ProjectParams,
  type SessionView,
} from '../src-main/protocol.js';

type ColorBy = 'label' | 'error' | 'cluster';
type ProjectMethod = ProjectParams['method'];

/** The page state a session view reads and restores (AppState fits; kept narrow so tests need no engine). */
export interface ViewHost {
  readonly dataset: { n: number; source: DatasetSource } | null;
  sourceKind: 'mnist' | 'folder';
  folderPath: string;
  subset: number;
  model: ModelKind;
  readonly trainedModel: ModelKind | null;
  epochs: number | null;
  batchSize: number | null;
  codeSize: number | null;
  learningRate: number | null;
  trainingNoise: number | null;
  l1: number | null;
  perplexity: number;
  method: ProjectMethod;
  kmeansK: number;
  colorBy: ColorBy;
  hidden: Set<number>;
  hiddenClusters: Set<number>;
  readonly clusters: { sizes: number[] } | null;
  readonly errors: Float32Array | null;
  readonly meanError: number | null;
  /** Runs k-means in the engine (the same codes and seed give the same clusters). */
  cluster(): Promise<void>;
}

/** The map's camera as a session view uses it (ScatterPlot fits). */
export interface ViewCamera {
  readonly followsFit: boolean;
  readonly currentView: { cx: number; cy: number; scale: number };
  setView(v: { cx: number; cy: number; scale: number }): void;
  resetView(): void;
}

/** The view state this page writes. */
export interface PageView {
  version: 1;
  /** Null when the view simply fits the points (it refits on another window size). */
  camera: { cx: number; cy: number; scale: number } | null;
  colorBy: ColorBy;
  hidden: number[];
  hiddenClusters: number[];
  /** k of the k-means colouring, when there was one (it is recomputed: same codes, same seed). */
  clusters: number | null;
  params: {
    model: ModelKind;
    /** null: the model's default (sessions before issue 13 always hold a number). */
    epochs: number | null;
    batchSize: number | null;
    codeSize: number | null;
    learningRate: number | null;
    /** Absent in sessions saved before it existed. */
    trainingNoise?: number | null;
    l1?: number | null;
    perplexity: number;
    method: ProjectMethod;
    kmeansK: number;
  };
}

/** The current view state of the page. */
export function captureView(app: ViewHost, plot: ViewCamera | null): PageView {
  return {
    version: 1,
    camera: plot && !plot.followsFit ? { ...plot.currentView } : null,
    colorBy: app.colorBy,
    hidden: [...app.hidden],
    hiddenClusters: [...app.hiddenClusters],
    clusters: app.clusters ? app.clusters.sizes.length : null,
    params: {
      model: app.model,
      epochs: app.epochs,
      batchSize: app.batchSize,
      codeSize: app.codeSize,
      learningRate: app.learningRate,
      trainingNoise: app.trainingNoise,
      l1: app.l1,
      perplexity: app.perplexity,
      method: app.method,
      kmeansK: app.kmeansK,
    },
  };
}

const METHODS: readonly string[] = ['tsne', 'pca', 'umap'];
const num = (v: unknown, min = -Infinity): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= min ? v : undefined;
const ints = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x) && x >= 0 && x < 100_000) : [];

/**
 * Restores a session's view state on the page after the engine has sent its
 * data, model and projection. Missing or bad fields keep what the page has;
 * the dataset source fields follow the reopened dataset.
 */
export async function applyView(app: ViewHost, plot: ViewCamera | null, raw: SessionView | null): Promise<void> {
  const source = app.dataset?.source;
  if (source?.kind === 'folder') {
    app.sourceKind = 'folder';
    app.folderPath = source.path;
  } else if (source && app.dataset) {
    app.sourceKind = 'mnist';
    app.subset = app.dataset.n;
  }
  const v = (raw ?? {}) as Partial<Record<keyof PageView, unknown>>;
  const p = (typeof v.params === 'object' && v.params ? v.params : {}) as Record<string, unknown>;
  // A session from the CLI has no page view: the model kind comes from the engine's trained event.
  if (MODEL_KINDS.includes(p.model as ModelKind)) app.model = p.model as ModelKind;
  else if (app.trainedModel) app.model = app.trainedModel;
  app.epochs = num(p.epochs, 1) ?? app.epochs;
  app.perplexity = num(p.perplexity, 2) ?? app.perplexity;
  app.kmeansK = num(p.kmeansK, 1) ?? app.kmeansK;
  for (const k of ['batchSize', 'codeSize', 'learningRate', 'trainingNoise', 'l1'] as const)
    if (p[k] === null || num(p[k], 0) !== undefined) app[k] = p[k] as number | null;
  if (METHODS.includes(p.method as string)) app.method = p.method as ProjectMethod;

  app.hidden = new Set(ints(v.hidden));
  const k = num(v.clusters, 1);
  if (k !== undefined && app.meanError !== null) {
    app.kmeansK = Math.round(k);
    await app.cluster();
    app.hiddenClusters = new Set(ints(v.hiddenClusters));
  }
  if (v.colorBy === 'error' && app.errors) app.colorBy = 'error';
  else if (v.colorBy === 'cluster' && app.clusters) app.colorBy = 'cluster';
  else app.colorBy = 'label';

  const c = v.camera as PageView['camera'] | undefined;
  if (c && typeof c === 'object' && num(c.cx) !== undefined && num(c.cy) !== undefined && num(c.scale, 0))
    plot?.setView(c);
  else plot?.resetView();
}
