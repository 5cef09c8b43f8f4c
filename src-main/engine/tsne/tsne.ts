import { approximateKnn, approximateKnnReordered, exactKnn, type KnnGraph } from '../neighbors/knn.js';
import { createRandom } from '../util/random.js';
import type { Slicer } from '../util/slicer.js';
import { jointProbabilities, type SparseMatrix } from './affinities.js';
import {
  drain,
  klDivergence,
  klDivergenceSliced,
  quarterGradientPhases,
  type Repulsion,
  repulsionPhases,
} from './gradient.js';
import { BarnesHutRepulsion } from './gradient-bh.js';
import { ExactRepulsion } from './gradient-exact.js';
import { FftRepulsion } from './gradient-fft.js';
import { Optimizer } from './optimizer.js';
import type { ResolvedTsneOptions } from './options.js';
import { AttractionHelper } from './parallel.js';

/** Up to this N the neighbour search is exact brute force; above it, approximate (random-projection forest). */
export const EXACT_KNN_MAX_N = 3000;

/** The repulsion implementation for a resolved method. */
export function createRepulsion(options: Pick<ResolvedTsneOptions, 'method' | 'theta'>): Repulsion {
  switch (options.method) {
    case 'exact':
      return new ExactRepulsion();
    case 'barnes-hut':
      return new BarnesHutRepulsion(options.theta);
    case 'fft':
      return new FftRepulsion();
  }
}

/** The phases before optimisation, in order. */
export type AffinityPhase = 'knn' | 'calibration' | 'symmetrize';

/** kNN (k = 3·perplexity, capped at N − 1) then calibrated, symmetrised P; `onProgress` hears each phase in points. */
export async function computeAffinities(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  options: Pick<ResolvedTsneOptions, 'perplexity' | 'seed'>,
  slicer?: Slicer,
  onProgress?: (phase: AffinityPhase, done: number, total: number) => void,
): Promise<SparseMatrix> {
  const { graph } = await knnGraph(data, n, d, options, false, slicer, onProgress);
  return jointProbabilities(graph, options.perplexity, slicer, onProgress, true);
}

/**
 * `computeAffinities` numbered for speed: above EXACT_KNN_MAX_N, point p of P is original point order[p], in the
 * approximate kNN's order, which keeps points that are near in the data near in memory (at 70,000 points the forces
 * read P's neighbours from cache instead of main memory). `order` is null when P keeps the original numbering.
 */
export async function computeAffinitiesReordered(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  options: Pick<ResolvedTsneOptions, 'perplexity' | 'seed'>,
  slicer?: Slicer,
  onProgress?: (phase: AffinityPhase, done: number, total: number) => void,
): Promise<{ p: SparseMatrix; order: Int32Array | null }> {
  const { graph, order } = await knnGraph(data, n, d, options, true, slicer, onProgress);
  return { p: await jointProbabilities(graph, options.perplexity, slicer, onProgress, true), order };
}

/** The kNN graph t-SNE's P starts from: exact up to EXACT_KNN_MAX_N, else approximate (in its own order if asked). */
async function knnGraph(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  options: Pick<ResolvedTsneOptions, 'perplexity' | 'seed'>,
  reordered: boolean,
  slicer?: Slicer,
  onProgress?: (phase: AffinityPhase, done: number, total: number) => void,
): Promise<{ graph: KnnGraph; order: Int32Array | null }> {
  const k = Math.min(n - 1, Math.floor(3 * options.perplexity));
  const knnProgress = onProgress && ((done: number, total: number) => onProgress('knn', done, total));
  if (n <= EXACT_KNN_MAX_N) return { graph: await exactKnn(data, n, d, k, slicer, knnProgress), order: null };
  const random = createRandom(options.seed);
  if (!reordered) return { graph: await approximateKnn(data, n, d, k, random, slicer, {}, knnProgress), order: null };
  return approximateKnnReordered(data, n, d, k, random, slicer, {}, knnProgress);
}

/**
 * The optimisation state of one run: `step()` does one iteration, so callers can drive it synchronously,
 * asynchronously with progress, or one step at a time.
 */
export class Tsne {
  readonly n: number;
  readonly embedding: Float64Array;
  iteration = 0;
  /** Z from the latest gradient evaluation. */
  z = NaN;
  private readonly optimizer: Optimizer;
  private readonly repulsion: Repulsion;
  private readonly grad: Float64Array;
  private readonly scratch: Float64Array;
  private helper: AttractionHelper | null = null;
  /** Iterations the helper thread took part in. */
  helperRounds = 0;

  constructor(
    readonly p: SparseMatrix,
    initial: Float64Array,
    readonly options: ResolvedTsneOptions,
  ) {
    this.n = p.n;
    if (initial.length !== 2 * this.n) throw new Error(`t-SNE: initial embedding must be ${this.n}×2`);
    this.embedding = Float64Array.from(initial);
    this.optimizer = new Optimizer(2 * this.n);
    this.repulsion = createRepulsion(options);
    this.grad = new Float64Array(2 * this.n);
    this.scratch = new Float64Array(2 * this.n);
    if ((options.threads ?? 1) > 1) this.helper = AttractionHelper.create(p);
    if (this.helper && this.repulsion instanceof FftRepulsion) this.repulsion.attachHelper(this.helper);
  }

  /** Threads currently working on each iteration: 2 while a helper thread is alive, else 1. */
  get threadsInUse(): number {
    return this.helper?.alive ? 2 : 1;
  }

  /** Blocks until the helper thread has loaded, at most `ms` (tests, which want it in from the first step). */
  waitForHelper(ms: number): void {
    this.helper?.waitLoaded(ms);
  }

  /** Releases the helper thread, if any. Safe to call twice. */
  dispose(): void {
    this.helper?.close();
    this.helper = null;
  }

  /** True while early exaggeration applies. */
  get exaggerating(): boolean {
    return this.iteration < this.options.exaggerationIterations;
  }

  /** One gradient-descent iteration. */
  step(): void {
    drain(this.stepPhases());
  }

  /**
   * `step()` as a generator that pauses between the gradient's parts, so an async caller can let the event loop
   * turn within one iteration (over a second at a million points). The embedding and the iteration count change
   * only at its end, so a caller that abandons it midway keeps the last whole iteration.
   */
  *stepPhases(): Generator<void, void, void> {
    const o = this.options;
    if (this.iteration === o.exaggerationIterations && this.iteration > 0) this.optimizer.reset();
    const early = this.exaggerating;
    const exaggeration = early ? o.earlyExaggeration : 1;
    const { grad, scratch, embedding: y, n } = this;
    // Gradient / 4 (the convention the learning rate refers to): attraction − repulsion / Z; the helper thread,
    // when there is one, computes the attraction meanwhile.
    // Until its module has loaded (seconds from source, at a million points after P) the helper is left out: this
    // thread does the whole step instead of blocking for it.
    const helper = this.helper?.loaded ? this.helper : null;
    const bh = this.repulsion instanceof BarnesHutRepulsion ? this.repulsion : null;
    let done = false;
    if (helper) {
      // The helper takes the attraction and, with Barnes-Hut, the last part of the points' repulsion.
      helper.start(y, exaggeration, bh ? bh.theta : undefined, this.repulsion instanceof FftRepulsion, grad);
      let zMine: number;
      let computed = false;
      try {
        zMine = bh ? bh.computeFirstPart(y, n, scratch) : yield* repulsionPhases(this.repulsion, y, n, scratch);
        computed = true;
      } finally {
        // Abandoned midway (a cancel): the helper's round is never collected, so it goes; later steps, if any, run
        // on this thread alone.
        if (!computed) this.dispose();
      }
      const zHelper = helper.finish(grad, scratch);
      if (!Number.isNaN(zHelper)) {
        this.z = zMine + zHelper;
        const inv = 1 / this.z;
        for (let t = 0; t < 2 * n; t++) grad[t] -= scratch[t] * inv;
        done = true;
        this.helperRounds++;
      }
    }
    // On one thread the step is exactly `quarterGradient`, the function the finite-difference test checks.
    if (!done) this.z = yield* quarterGradientPhases(this.p, y, exaggeration, this.repulsion, grad, scratch);
    this.optimizer.step(this.embedding, this.grad, o.learningRate, early ? o.momentum : o.finalMomentum);
    this.iteration++;
  }

  /** KL(P‖Q) of the current embedding (without exaggeration); recomputes Z exactly when N is small. */
  kl(): number {
    return klDivergence(this.p, this.embedding, this.klZ());
  }

  /** `kl()` yielding to `slicer` as it goes (seconds at a million points); throws `Cancelled` when cancelled. */
  klSliced(slicer: Slicer): Promise<number> {
    return klDivergenceSliced(this.p, this.embedding, this.klZ(), slicer);
  }

  private klZ(): number {
    if (Number.isNaN(this.z) || this.n <= 2000) {
      this.z = new ExactRepulsion().compute(this.embedding, this.n, this.scratch);
    }
    return this.z;
  }
}
