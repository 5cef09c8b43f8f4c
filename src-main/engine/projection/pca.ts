import * as tf from '@tensorflow/tfjs';

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

/** Options for fitting; the defaults keep 70,000×784 within a few seconds. */
export interface PcaOptions {
  /** Rows used to estimate the axes (a uniform random sample when N is larger); projection always uses every row. */
  sampleSize: number;
  /** Up to this many dimensions the covariance is formed and solved exactly; above, subspace iteration. */
  exactMaxD: number;
  /** Krylov blocks (each two thin matMuls over the sample) when d > exactMaxD; 4 blocks of 60 columns give MNIST's PCA-50
   * variances within 0.15% each and their total within 1e-4. */
  iterations: number;
  /** Extra columns per block beyond the components asked for. */
  oversampling: number;
  /** Rows per block when projecting, so a 70,000×784 input never sits whole in the backend's memory. */
  blockRows: number;
}

const PCA_DEFAULTS: Readonly<PcaOptions> = Object.freeze({
  sampleSize: 5000,
  exactMaxD: 128,
  iterations: 4,
  oversampling: 10,
  blockRows: 8192,
});

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

/**
 * The products run as TensorFlow.js matMuls on the active backend (XNNPACK on wasm): orders of magnitude faster than
 * scalar loops. Float32 is enough: the data is centred before it reaches a tensor, and the small eigenproblems run
 * in float64.
 */
function product(fn: () => tf.Tensor): Float64Array {
  const t = tf.tidy(fn);
  try {
    return Float64Array.from(t.dataSync());
  } finally {
    t.dispose();
  }
}

function tensor(values: Float64Array | Float32Array, rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(values instanceof Float32Array ? values : Float32Array.from(values), [rows, cols]);
}

/**
 * Orthonormalises rows [from, to) of q (rows of length d) in place by modified Gram-Schmidt, against rows
 * [against, from) and each other (twice, which keeps float64 orthogonality when the block is nearly dependent on
 * them).
 */
function orthonormalizeRows(q: Float64Array, d: number, from: number, to: number, against = 0): void {
  for (let pass = 0; pass < 2; pass++)
    for (let j = from; j < to; j++) {
      const bj = j * d;
      for (let i = against; i < j; i++) {
        const bi = i * d;
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[bi + t] * q[bj + t];
        for (let t = 0; t < d; t++) q[bj + t] -= dot * q[bi + t];
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += q[bj + t] * q[bj + t];
      norm = Math.sqrt(norm) || 1;
      for (let t = 0; t < d; t++) q[bj + t] /= norm;
    }
}

/*
 * The loops over whole matrices live in plain functions, not in the generators below: V8 does not optimise a
 * long-running loop inside a generator body on the spot (no on-stack replacement there), and at 10,000×784 those
 * loops took longer than the matrix products.
 */

/** dst[off + j·rows + t] = src[t·cols + j]: a rows×cols matrix written transposed. */
function transposeInto(src: Float64Array, rows: number, cols: number, dst: Float64Array, off: number): void {
  for (let j = 0; j < cols; j++) for (let t = 0; t < rows; t++) dst[off + j * rows + t] = src[t * cols + j];
}

/** Scales the m×m product by `scale` and makes it exactly symmetric (it is so only up to float32 rounding). */
function symmetrize(a: Float64Array, m: number, scale: number): void {
  for (let t = 0; t < a.length; t++) a[t] *= scale;
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) a[i * m + j] = a[j * m + i] = (a[i * m + j] + a[j * m + i]) / 2;
}

/** The first `count` rows of coefficients (count×w) applied to the w rows of basis (w×d): count×d. */
function combineRows(coef: Float64Array, count: number, w: number, basis: Float64Array, d: number): Float64Array {
  const out = new Float64Array(count * d);
  for (let e = 0; e < count; e++)
    for (let j = 0; j < w; j++) {
      const c = coef[e * w + j];
      for (let t = 0, base = j * d, o = e * d; t < d; t++) out[o + t] += c * basis[base + t];
    }
  return out;
}

/** Mean of the chosen rows of n×d data. */
function rowMean(data: Data, rows: Int32Array, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) for (let t = 0, b = rows[r] * d; t < d; t++) mean[t] += data[b + t];
  for (let t = 0; t < d; t++) mean[t] /= rows.length;
  return mean;
}

/** out[r] = data[rows[r]] − mean, as float32 rows. */
function centreRows(data: Data, rows: Int32Array, count: number, d: number, mean: Float64Array, out: Float32Array) {
  for (let r = 0; r < count; r++)
    for (let t = 0, src = rows[r] * d, dst = r * d; t < d; t++) out[dst + t] = data[src + t] - mean[t];
}

/**
 * Removes from rows [from, to) of q their components along the orthonormal rows [0, from), as two block
 * projections Z − (ZQᵀ)Q by matMul (twice: once is not enough when a Krylov block lies nearly in the span of the
 * earlier ones). Row by row in JS this was the slowest step of PCA-50 at 784 dimensions: 240 rows against each
 * other cost 90 M multiply-adds. Rows are scaled to unit length first, so float32 products lose little to the
 * cancellation.
 */
function projectOut(q: Float64Array, d: number, from: number, to: number): void {
  if (from === 0) return;
  for (let j = from; j < to; j++) {
    let norm = 0;
    for (let t = 0, b = j * d; t < d; t++) norm += q[b + t] * q[b + t];
    norm = Math.sqrt(norm) || 1;
    for (let t = 0, b = j * d; t < d; t++) q[b + t] /= norm;
  }
  const earlier = tensor(q.subarray(0, from * d), from, d);
  try {
    for (let pass = 0; pass < 2; pass++) {
      const block = q.subarray(from * d, to * d);
      const rest = tf.tidy(() => {
        const z = tensor(block, to - from, d);
        return z.sub(tf.matMul(tf.matMul(z, earlier, false, true), earlier));
      });
      block.set(rest.dataSync());
      rest.dispose();
    }
  } finally {
    earlier.dispose();
  }
}

/**
 * Top eigenpairs of the covariance XᵀX/(rows − 1) of the centred rows x (rows×d), eigenvectors as rows (m×d).
 * Small d: the covariance by one matMul, then Jacobi. Large d: a block Krylov space of blocks of m + oversampling
 * columns, which never forms the d×d covariance, so each block costs two thin products (rows·d·l) instead of
 * rows·d²; then Rayleigh-Ritz on (XQ)ᵀ(XQ).
 */
function* topEigen(
  x: tf.Tensor2D,
  rows: number,
  d: number,
  m: number,
  o: PcaOptions,
  seed: number,
): Steps<{ values: Float64Array; vectors: Float64Array }> {
  const inv = 1 / Math.max(1, rows - 1);
  const l = Math.min(d, m + o.oversampling);
  if (d <= o.exactMaxD || l >= d) {
    const c = product(() => tf.matMul(x, x, true));
    symmetrize(c, d, inv);
    yield;
    const { values, vectors } = symmetricEigen(c, d);
    return { values: values.slice(0, m), vectors: vectors.slice(0, m * d) };
  }
  // Block Krylov space [CΩ, C²Ω, …] (Musco & Musco 2015): the Rayleigh-Ritz step uses every block, not only the
  // last as plain subspace iteration does, so the trailing components converge in far fewer products.
  const blocks = Math.max(1, Math.min(o.iterations, Math.floor(d / l)));
  const w = blocks * l;
  // The basis is held as rows (w×d, each basis vector contiguous) so Gram-Schmidt walks memory in order; the
  // matMuls take it transposed.
  const rand = createRandom(seed);
  const basis = new Float64Array(w * d);
  const start = new Float64Array(l * d);
  for (let i = 0; i < start.length; i++) start[i] = rand.normal();
  orthonormalizeRows(start, d, 0, l);
  for (let k = 0; k < blocks; k++) {
    const src = k === 0 ? start : basis.subarray((k - 1) * l * d, k * l * d);
    const z = product(() => tf.matMul(x, tf.matMul(x, tensor(src, l, d), false, true), true));
    transposeInto(z, d, l, basis, k * l * d);
    projectOut(basis, d, k * l, (k + 1) * l);
    orthonormalizeRows(basis, d, k * l, (k + 1) * l, k * l);
    yield;
  }
  // Rayleigh-Ritz: B = (XQ)ᵀ(XQ)/(rows − 1), then rotate Q by B's eigenvectors.
  const bm = product(() => {
    const xq = tf.matMul(x, tensor(basis, w, d), false, true);
    return tf.matMul(xq, xq, true);
  });
  symmetrize(bm, w, inv);
  const small = symmetricEigen(bm, w);
  return { values: small.values.slice(0, m), vectors: combineRows(small.vectors, m, w, basis, d) };
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
  const mean = rowMean(data, rows, d);
  const centred = new Float32Array(rows.length * d);
  centreRows(data, rows, rows.length, d, mean, centred);
  const x = tensor(centred, rows.length, d);
  let eig;
  try {
    eig = yield* topEigen(x, rows.length, d, components, o, seed);
  } finally {
    x.dispose();
  }
  const { values, vectors } = eig;
  for (let e = 0; e < components; e++) {
    let best = 0;
    for (let t = 0; t < d; t++) if (Math.abs(vectors[e * d + t]) > Math.abs(best)) best = vectors[e * d + t];
    if (best < 0) for (let t = 0; t < d; t++) vectors[e * d + t] = -vectors[e * d + t];
  }
  return { d, mean, axes: vectors, variances: values };
}

/** Projects every row onto the model's axes: n×components, `blockRows` rows per matMul. */
export function projectPca(model: PcaModel, data: Data, n: number, blockRows = PCA_DEFAULTS.blockRows): Float32Array {
  return finish(projectSteps(model, data, n, blockRows));
}

function* projectSteps(
  model: PcaModel,
  data: Data,
  n: number,
  blockRows = PCA_DEFAULTS.blockRows,
): Steps<Float32Array> {
  const { d, mean, axes } = model;
  const m = axes.length / d;
  const out = new Float32Array(n * m);
  const a = tensor(axes, m, d);
  try {
    // (x − μ)·Aᵀ = x·Aᵀ − μ·Aᵀ; the data is centred block by block before it becomes a tensor, so float32
    // products do not lose the small variations around a large mean.
    const block = new Float32Array(Math.min(n, blockRows) * d);
    const index = new Int32Array(Math.min(n, blockRows));
    for (let r0 = 0; r0 < n; r0 += blockRows) {
      const rows = Math.min(blockRows, n - r0);
      const x = block.subarray(0, rows * d);
      for (let r = 0; r < rows; r++) index[r] = r0 + r;
      centreRows(data, index, rows, d, mean, x);
      const y = tf.tidy(() => tf.matMul(tensor(x, rows, d), a, false, true));
      out.set(y.dataSync(), r0 * m);
      y.dispose();
      yield;
    }
  } finally {
    a.dispose();
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
