import { Cancelled, Slicer, yieldToEventLoop } from '../util/slicer.js';
import { pcaInitialization } from './initialization.js';
import { type ResolvedTsneOptions, resolveOptions, type TsneOptions } from './options.js';
import { type AffinityPhase, computeAffinitiesReordered, Tsne } from './tsne.js';

export { pcaInitialization, randomInitialization } from './initialization.js';
export { type ResolvedTsneOptions, resolveOptions, TSNE_DEFAULTS, type TsneOptions } from './options.js';
export { type AffinityPhase, computeAffinities, computeAffinitiesReordered, createRepulsion, Tsne } from './tsne.js';

/** One progress event of a run. */
export interface TsneProgress {
  /** kNN search, perplexity calibration and symmetrisation (the affinities), then the optimisation. */
  phase: AffinityPhase | 'optimize';
  /** Work done in this phase and its total: points before the optimisation, iterations during it. */
  done: number;
  total: number;
  iteration: number;
  iterations: number;
  /** KL(P‖Q) of the embedding at the latest evaluation (every 50 iterations and at reports of the last one). */
  kl?: number;
  /** copy of the current n×2 embedding, present on report iterations */
  embedding?: Float32Array;
}

/** The outcome of a run, complete or cancelled. */
export interface TsneResult {
  /** n×2 embedding (the initialisation if cancelled before optimisation began). */
  embedding: Float32Array;
  /** Iterations actually done. */
  iterations: number;
  /** Final KL(P‖Q); NaN when cancelled before optimisation. */
  kl: number;
  cancelled: boolean;
  seconds: { affinities: number; optimize: number };
}

/** Progress and cancellation for a run. */
export interface TsneHooks {
  signal?: AbortSignal;
  onProgress?: (p: TsneProgress) => void | boolean;
}

/** How often KL is evaluated (it costs a log per nonzero of P). */
const KL_EVERY = 50;

/**
 * t-SNE of n×d row-major data to n×2. Yields to the event loop every few tens of milliseconds, so a cancel arriving
 * over IPC is seen quickly. Returning false from onProgress, or aborting signal, stops early and resolves with the
 * embedding so far (cancelled: true) within a second. Deterministic for a given seed.
 */
export async function runTsne(
  data: Float32Array,
  n: number,
  d: number,
  options: Partial<TsneOptions> = {},
  hooks: TsneHooks = {},
): Promise<TsneResult> {
  const o = resolveOptions(n, options);
  if (data.length !== n * d) throw new Error(`t-SNE: data has ${data.length} values, expected ${n}×${d}`);
  for (let t = 0; t < data.length; t++)
    if (!Number.isFinite(data[t])) throw new Error(`t-SNE: non-finite input at ${t}`);
  const { signal, onProgress } = hooks;
  const slicer = new Slicer(signal);
  const seconds = { affinities: 0, optimize: 0 };
  const t0 = performance.now();
  const report = (p: TsneProgress): boolean => onProgress?.(p) !== false;

  const init = pcaInitialization(data, n, d, o.seed);
  let p;
  let order: Int32Array | null;
  try {
    // A false from onProgress stops at the next report, as during the optimisation.
    const phaseReport = (phase: AffinityPhase, done: number, total: number) => {
      if (!report({ phase, done, total, iteration: 0, iterations: o.iterations })) throw new Cancelled();
    };
    ({ p, order } = await computeAffinitiesReordered(data, n, d, o, slicer, phaseReport));
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    seconds.affinities = (performance.now() - t0) / 1000;
    return { embedding: Float32Array.from(init), iterations: 0, kl: NaN, cancelled: true, seconds };
  }
  const t1 = performance.now();
  seconds.affinities = (t1 - t0) / 1000;

  // P may number the points in its own order (see computeAffinitiesReordered): the optimisation runs in it, and
  // every embedding that leaves is put back in the caller's order.
  const ordered = order ? permuteRows(init, order) : init;
  const output = (y: Float64Array) => (order ? unpermuteRows(y, order) : Float32Array.from(y));
  const tsne = new Tsne(p, ordered, o);
  try {
    // The event loop turns between building the state (a third of a second at a million points) and the first step.
    await yieldToEventLoop();
    return await optimize(tsne, o, report, slicer, seconds, t1, output);
  } finally {
    tsne.dispose();
  }
}

async function optimize(
  tsne: Tsne,
  o: ResolvedTsneOptions,
  report: (p: TsneProgress) => boolean,
  slicer: Slicer,
  seconds: TsneResult['seconds'],
  t1: number,
  output: (y: Float64Array) => Float32Array,
): Promise<TsneResult> {
  let kl = NaN;
  let cancelled = false;
  while (tsne.iteration < o.iterations) {
    try {
      await stepSliced(tsne, slicer);
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      cancelled = true;
      break;
    }
    const it = tsne.iteration;
    const last = it === o.iterations;
    if (it % KL_EVERY === 0 || last) {
      try {
        kl = await tsne.klSliced(slicer);
      } catch (e) {
        if (!(e instanceof Cancelled)) throw e;
        cancelled = true;
        break;
      }
    }
    if (o.reportEvery > 0 && (it % o.reportEvery === 0 || last)) {
      const go = report({
        phase: 'optimize',
        done: it,
        total: o.iterations,
        iteration: it,
        iterations: o.iterations,
        kl: Number.isNaN(kl) ? undefined : kl,
        embedding: output(tsne.embedding),
      });
      if (!go) {
        cancelled = true;
        break;
      }
    }
    try {
      await slicer.tick();
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
      cancelled = true;
      break;
    }
  }
  // After a cancel the last KL stands: computing it afresh takes seconds at a million points, which the cancel
  // would wait for. Small runs (a fraction of a second) still get one when none was computed yet.
  if (Number.isNaN(kl) && (!cancelled || tsne.n <= 100000)) kl = tsne.kl();
  seconds.optimize = (performance.now() - t1) / 1000;
  return { embedding: output(tsne.embedding), iterations: tsne.iteration, kl, cancelled, seconds };
}

/**
 * One iteration, yielding to `slicer` between its parts (one iteration takes over a second at a million points);
 * throws `Cancelled` with the embedding left at the last whole iteration.
 */
async function stepSliced(tsne: Tsne, slicer: Slicer): Promise<void> {
  const phases = tsne.stepPhases();
  try {
    while (!phases.next().done) await slicer.tick();
  } finally {
    // Runs the step's own clean-up when a cancel leaves it midway; a no-op after its end.
    phases.return();
  }
}

/** Rows of an n×2 array in `order`: row p of the result is row order[p]. */
function permuteRows(y: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(y.length);
  for (let p = 0; p < order.length; p++) {
    out[2 * p] = y[2 * order[p]];
    out[2 * p + 1] = y[2 * order[p] + 1];
  }
  return out;
}

/** The inverse of `permuteRows`, as the Float32Array a result carries. */
function unpermuteRows(y: Float64Array, order: Int32Array): Float32Array {
  const out = new Float32Array(y.length);
  for (let p = 0; p < order.length; p++) {
    out[2 * order[p]] = y[2 * p];
    out[2 * order[p] + 1] = y[2 * p + 1];
  }
  return out;
}
