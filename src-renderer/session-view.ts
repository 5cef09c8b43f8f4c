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

/** The side panel's settings a session view stores (Settings fits). */
export interface ViewSettings {
  sourceKind: 'mnist' | 'folder';
  folderPath: string;
  subset: number;
  model: ModelKind;
  epochs: number | null;
  batchSize: number | null;
  codeSize: number | null;
  learningRate: number | null;
  trainingNoise: number | null;
  l1: number | null;
  perplexity: number;
  method: ProjectMethod;
  kmeansK: number;
}

/** The page state a session view reads and restores (AppState fits; kept narrow so tests need no engine). */
export interface ViewHost {
  readonly settings: ViewSettings;
  readonly dataset: { n: number; info: { source: DatasetSource } } | null;
  readonly trainedModel: ModelKind | null;
  colorBy: ColorBy;
  hidden: ReadonlySet<number>;
  hiddenClusters: ReadonlySet<number>;
  readonly clusters: { sizes: number[] } | null;
  readonly errors: Float32Array | null;
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
    /** Null: the model's default (sessions saved before it existed always have a number). */
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
      model: app.settings.model,
      epochs: app.settings.epochs,
      batchSize: app.settings.batchSize,
      codeSize: app.settings.codeSize,
      learningRate: app.settings.learningRate,
      trainingNoise: app.settings.trainingNoise,
      l1: app.settings.l1,
      perplexity: app.settings.perplexity,
      method: app.settings.method,
      kmeansK: app.settings.kmeansK,
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
  const s = app.settings;
  const source = app.dataset?.info.source;
  if (source?.kind === 'folder') {
    s.sourceKind = 'folder';
    s.folderPath = source.path;
  } else if (source && app.dataset) {
    s.sourceKind = 'mnist';
    s.subset = app.dataset.n;
  }
  const v = (raw ?? {}) as Partial<Record<keyof PageView, unknown>>;
  const p = (typeof v.params === 'object' && v.params ? v.params : {}) as Record<string, unknown>;
  // A session from the CLI has no page view: the model kind comes from the engine's trained event.
  if (MODEL_KINDS.includes(p.model as ModelKind)) s.model = p.model as ModelKind;
  else if (app.trainedModel) s.model = app.trainedModel;
  s.epochs = p.epochs === null ? null : (num(p.epochs, 1) ?? s.epochs);
  s.perplexity = num(p.perplexity, 2) ?? s.perplexity;
  s.kmeansK = num(p.kmeansK, 1) ?? s.kmeansK;
  for (const k of ['batchSize', 'codeSize', 'learningRate', 'trainingNoise', 'l1'] as const)
    if (p[k] === null || num(p[k], 0) !== undefined) s[k] = p[k] as number | null;
  if (METHODS.includes(p.method as string)) s.method = p.method as ProjectMethod;

  app.hidden = new Set(ints(v.hidden));
  const k = num(v.clusters, 1);
  if (k !== undefined && app.trainedModel !== null) {
    s.kmeansK = Math.round(k);
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
