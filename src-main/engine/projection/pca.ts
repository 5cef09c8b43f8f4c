import { createRandom } from '../util/random.js';
import { Cancelled, Slicer } from '../util/slicer.js';
import { symmetricEigen } from './eigen.js';

/** A fitted PCA: mean, unit principal axes (components×d, row-major) and the variance along each. */
export interface PcaModel {
  d: number;
  mean: Float64Array;
  axes: Float64Array;
  variances: Float64Array;
}

/** Options for fitting; the defaults keep 70,000×784 under a few seconds. */
export interface PcaOptions {
  /** Rows used to estimate the axes (a uniform random sample when N is larger); projection always uses every row. */
  sampleSize: number;
  /** Subspace iterations on the covariance when d is large. */
  iterations: number;
}

const PCA_DEFAULTS: Readonly<PcaOptions> = Object.freeze({ sampleSize: 10000, iterations: 20 });

type Data = Float32Array | Float64Array;

/**
 * The long loops are generators that yield every few hundred rows, so one body serves both the synchronous API and
 * the time-sliced, cancellable one.
 */
type Steps<T> = Generator<void, T, void>;

function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

async function finishSliced<T>(steps: Steps<T>, slicer: Slicer): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await slicer.tick();
  }
}

/** Covariance (d×d) of the given rows around `mean`. */
function* covariance(data: Data, d: number, rows: Int32Array, mean: Float64Array): Steps<Float64Array> {
  const c = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    if ((r & 127) === 127) yield;
    const base = rows[r] * d;
    for (let t = 0; t < d; t++) x[t] = data[base + t] - mean[t];
    for (let a = 0; a < d; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) c[row + b] += xa * x[b];
    }
  }
  const inv = 1 / Math.max(1, rows.length - 1);
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      const v = c[a * d + b] * inv;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  return c;
}

/** Orthonormalises the r columns of q (d×r, row-major) in place by modified Gram-Schmidt. */
function orthonormalize(q: Float64Array, d: number, r: number): void {
  for (let j = 0; j < r; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += q[t * r + i] * q[t * r + j];
      for (let t = 0; t < d; t++) q[t * r + j] -= dot * q[t * r + i];
    }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += q[t * r + j] * q[t * r + j];
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < d; t++) q[t * r + j] /= norm;
  }
}

/** Top eigenpairs of a symmetric d×d matrix: full Jacobi when small, block subspace iteration otherwise. */
function topEigen(c: Float64Array, d: number, m: number, iterations: number, seed: number) {
  if (d <= 64) {
    const { values, vectors } = symmetricEigen(c, d);
    return { values: values.slice(0, m), vectors: vectors.slice(0, m * d) };
  }
  const r = Math.min(d, m + 10);
  const rand = createRandom(seed);
  let q = new Float64Array(d * r);
  for (let i = 0; i < q.length; i++) q[i] = rand.normal();
  orthonormalize(q, d, r);
  let z = new Float64Array(d * r);
  for (let it = 0; it < iterations; it++) {
    z.fill(0);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        const cab = c[a * d + b];
        if (cab === 0) continue;
        for (let j = 0; j < r; j++) z[a * r + j] += cab * q[b * r + j];
      }
    orthonormalize(z, d, r);
    [q, z] = [z, q];
  }
  // Rayleigh-Ritz: B = Qᵀ C Q, then rotate Q by B's eigenvectors.
  const cq = new Float64Array(d * r);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      const cab = c[a * d + b];
      if (cab === 0) continue;
      for (let j = 0; j < r; j++) cq[a * r + j] += cab * q[b * r + j];
    }
  const bm = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += q[t * r + i] * cq[t * r + j];
      bm[i * r + j] = s;
    }
  for (let i = 0; i < r; i++)
    for (let j = i + 1; j < r; j++) bm[i * r + j] = bm[j * r + i] = (bm[i * r + j] + bm[j * r + i]) / 2;
  const small = symmetricEigen(bm, r);
  const vectors = new Float64Array(m * d);
  for (let e = 0; e < m; e++)
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += q[t * r + j] * small.vectors[e * r + j];
      vectors[e * d + t] = s;
    }
  return { values: small.values.slice(0, m), vectors };
}

/** Fits PCA on (a sample of) the rows. Axes get a deterministic sign: largest-magnitude loading positive. */
export function fitPca(
  data: Data,
  n: number,
  d: number,
  components: number,
  seed = 0,
  options: Partial<PcaOptions> = {},
): PcaModel {
  return finish(fitSteps(data, n, d, components, seed, options));
}

function* fitSteps(
  data: Data,
  n: number,
  d: number,
  components: number,
  seed: number,
  options: Partial<PcaOptions>,
): Steps<PcaModel> {
  const o = { ...PCA_DEFAULTS, ...options };
  if (data.length !== n * d) throw new Error(`PCA: data has ${data.length} values, expected ${n}×${d}`);
  if (!(components >= 1 && components <= d)) throw new Error(`PCA: components must be in [1, ${d}]`);
  let rows: Int32Array;
  if (n <= o.sampleSize) rows = Int32Array.from({ length: n }, (_, i) => i);
  else {
    // Partial Fisher-Yates: a uniform sample without replacement, sorted for memory order.
    const rand = createRandom(seed + 1);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < o.sampleSize; i++) {
      const j = i + rand.int(n - i);
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    rows = all.slice(0, o.sampleSize).sort();
  }
  const mean = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) for (let t = 0; t < d; t++) mean[t] += data[rows[r] * d + t];
  for (let t = 0; t < d; t++) mean[t] /= rows.length;
  const cov = yield* covariance(data, d, rows, mean);
  const { values, vectors } = topEigen(cov, d, components, o.iterations, seed);
  for (let e = 0; e < components; e++) {
    let best = 0;
    for (let t = 0; t < d; t++) if (Math.abs(vectors[e * d + t]) > Math.abs(best)) best = vectors[e * d + t];
    if (best < 0) for (let t = 0; t < d; t++) vectors[e * d + t] = -vectors[e * d + t];
  }
  return { d, mean, axes: vectors, variances: values };
}

/** Projects every row onto the model's axes: n×components. */
export function projectPca(model: PcaModel, data: Data, n: number): Float32Array {
  return finish(projectSteps(model, data, n));
}

function* projectSteps(model: PcaModel, data: Data, n: number): Steps<Float32Array> {
  const { d, mean, axes } = model;
  const m = axes.length / d;
  const out = new Float32Array(n * m);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 1023) yield;
    for (let t = 0; t < d; t++) x[t] = data[i * d + t] - mean[t];
    for (let e = 0; e < m; e++) {
      let s = 0;
      const base = e * d;
      for (let t = 0; t < d; t++) s += x[t] * axes[base + t];
      out[i * m + e] = s;
    }
  }
  return out;
}

/** PCA of n×d row-major data to n×components (Float32Array). Deterministic for a seed. */
export function pca(data: Data, n: number, d: number, components: number, seed = 0): Float32Array {
  return projectPca(fitPca(data, n, d, components, seed), data, n);
}

/**
 * PCA like `pca`, time-sliced so the event loop keeps running; rejects with the signal's reason when aborted.
 * Use it for large inputs (70,000×784 takes seconds).
 */
export async function pcaAsync(
  data: Data,
  n: number,
  d: number,
  components: number,
  seed = 0,
  hooks: { signal?: AbortSignal } = {},
): Promise<Float32Array> {
  const slicer = new Slicer(hooks.signal);
  try {
    const model = await finishSliced(fitSteps(data, n, d, components, seed, {}), slicer);
    return await finishSliced(projectSteps(model, data, n), slicer);
  } catch (e) {
    if (e instanceof Cancelled) throw hooks.signal?.reason ?? e;
    throw e;
  }
}
