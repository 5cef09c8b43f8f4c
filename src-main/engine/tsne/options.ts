import { availableParallelism } from 'node:os';

/** Every knob of a t-SNE run. Defaults follow current practice (openTSNE, Belkina et al. 2019). */
export interface TsneOptions {
  /** Effective number of neighbours each point's Gaussian covers; affinities use 3·perplexity nearest neighbours. */
  perplexity: number;
  /** Total gradient-descent iterations, early exaggeration included. */
  iterations: number;
  /** Factor on P during the first `exaggerationIterations` iterations; pulls clusters together early. */
  earlyExaggeration: number;
  /** How many of the first iterations use `earlyExaggeration` and `momentum`. */
  exaggerationIterations: number;
  /**
   * Step size in the bhtsne/FIt-SNE/openTSNE convention (gradient without its factor 4).
   * 'auto' = max(N / earlyExaggeration, 200), i.e. N/12 for large N.
   */
  learningRate: number | 'auto';
  /** Momentum during early exaggeration. */
  momentum: number;
  /** Momentum after early exaggeration. */
  finalMomentum: number;
  /** Repulsive-force method: 'auto' picks exact for small N, Barnes-Hut for medium N, FFT interpolation for large N. */
  method: 'auto' | 'exact' | 'barnes-hut' | 'fft';
  /** Barnes-Hut accuracy: a cell is summarised when its width / distance < theta (0 = exact). */
  theta: number;
  /** Seed for initialisation and approximate neighbour search; same seed, same result. */
  seed: number;
  /** Emit progress with a copy of the embedding every k iterations (0 = never send embeddings). */
  reportEvery: number;
  /**
   * Threads to use: 1 runs everything on the calling thread, time-sliced; 2 adds a helper thread that takes the
   * attraction and part of the repulsion each iteration (same result bit for bit; falls back to 1 if the helper
   * fails). Default: 2 from 5,000 points where 2 cores exist.
   */
  threads?: number;
}

/** Defaults: perplexity 30, 750 iterations with 250 of early exaggeration 12, momentum 0.5 → 0.8. */
export const TSNE_DEFAULTS: Readonly<TsneOptions> = Object.freeze({
  perplexity: 30,
  iterations: 750,
  earlyExaggeration: 12,
  exaggerationIterations: 250,
  learningRate: 'auto',
  momentum: 0.5,
  finalMomentum: 0.8,
  method: 'auto',
  theta: 0.5,
  seed: 42,
  reportEvery: 10,
});

/** Options after validation, with 'auto' choices made for a given N. */
export interface ResolvedTsneOptions extends TsneOptions {
  learningRate: number;
  method: 'exact' | 'barnes-hut' | 'fft';
  threads: number;
}

/** Below this N the exact O(N²) gradient is fast enough and best. */
export const EXACT_MAX_N = 1000;
/** From this N on, FFT interpolation beats Barnes-Hut (10,000 MNIST points, 750 iterations: 22.6 s against 45.2 s). */
export const FFT_MIN_N = 8000;

/** Merges `options` over the defaults, checks them against the data size and resolves 'auto'. Throws early on bad input. */
export function resolveOptions(n: number, options: Partial<TsneOptions> = {}): ResolvedTsneOptions {
  const o: TsneOptions = { ...TSNE_DEFAULTS, ...options };
  const fail = (msg: string): never => {
    throw new Error(`t-SNE: ${msg}`);
  };
  if (!Number.isInteger(n) || n < 4) fail(`need at least 4 points, got ${n}`);
  if (!(o.perplexity > 0)) fail(`perplexity must be > 0, got ${o.perplexity}`);
  if (3 * o.perplexity > n - 1)
    fail(`perplexity ${o.perplexity} too large for ${n} points (need 3·perplexity ≤ N − 1)`);
  if (!Number.isInteger(o.iterations) || o.iterations < 0) fail(`iterations must be an integer ≥ 0`);
  if (!Number.isInteger(o.exaggerationIterations) || o.exaggerationIterations < 0)
    fail(`exaggerationIterations must be an integer ≥ 0`);
  if (!(o.earlyExaggeration >= 1)) fail(`earlyExaggeration must be ≥ 1`);
  if (o.learningRate !== 'auto' && !(o.learningRate > 0)) fail(`learningRate must be > 0 or 'auto'`);
  if (!(o.momentum >= 0 && o.momentum < 1) || !(o.finalMomentum >= 0 && o.finalMomentum < 1))
    fail(`momentum must be in [0, 1)`);
  if (!['auto', 'exact', 'barnes-hut', 'fft'].includes(o.method)) fail(`unknown method ${String(o.method)}`);
  if (!(o.theta >= 0 && o.theta <= 2)) fail(`theta must be in [0, 2]`);
  if (!Number.isFinite(o.seed)) fail(`seed must be a number`);
  if (!Number.isInteger(o.reportEvery) || o.reportEvery < 0) fail(`reportEvery must be an integer ≥ 0`);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1))
    fail(`threads must be an integer ≥ 1`);
  const threads = Math.min(o.threads ?? (n >= 5000 ? 2 : 1), availableParallelism());
  const learningRate = o.learningRate === 'auto' ? Math.max(n / o.earlyExaggeration, 200) : o.learningRate;
  const method = o.method !== 'auto' ? o.method : n <= EXACT_MAX_N ? 'exact' : n < FFT_MIN_N ? 'barnes-hut' : 'fft';
  return { ...o, learningRate, method, threads };
}
