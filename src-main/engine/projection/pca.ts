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
  /**
   * Up to this many rows, when the dimensions are at least 4× the rows, the rows×rows Gram matrix is solved
   * instead: its cost grows as rows³, the Krylov blocks' with d. Fitting 50 axes here: 325×12,288 (64×64×3
   * images) 0.31 s against 1.31 s, 81×49,152 0.10 s against 4.71 s; but 500×784 0.47 s against 0.15 s.
   */
  gramMaxRows: number;
}

const PCA_DEFAULTS: Readonly<PcaOptions> = Object.freeze({
  sampleSize: 5000,
  exactMaxD: 128,
  iterations: 4,
  oversampling: 10,
  blockRows: 8192,
  gramMaxRows: 600,
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

/** Rows [from, from + count) of n×d data as float32, without a copy when they already are. */
function rowBlock(data: Data, d: number, from: number, count: number): Float32Array {
  const block = data.subarray(from * d, (from + count) * d);
  return block instanceof Float32Array ? block : Float32Array.from(block);
}

/** The chosen rows of n×d data, gathered into one float32 array. */
function gatherRows(data: Data, rows: Int32Array, d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}

/** Scales rows [from, to) of q (rows of length d) to unit length; a zero row stays zero. */
function normalizeRows(q: Float64Array, d: number, from: number, to: number): void {
  for (let j = from; j < to; j++) {
    let norm = 0;
    for (let t = 0, b = j * d; t < d; t++) norm += q[b + t] * q[b + t];
    norm = Math.sqrt(norm) || 1;
    for (let t = 0, b = j * d; t < d; t++) q[b + t] /= norm;
  }
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
  normalizeRows(q, d, from, to);
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
  if (4 * rows <= d && rows <= o.gramMaxRows && d > o.exactMaxD) {
    // XXᵀ/(rows − 1) has the covariance's nonzero eigenvalues, and uᵀX, normalised, its eigenvectors.
    const g = product(() => tf.matMul(x, x, false, true));
    symmetrize(g, rows, inv);
    yield;
    const small = symmetricEigen(g, rows);
    const vectors = product(() => tf.matMul(tensor(small.vectors.subarray(0, m * rows), m, rows), x));
    normalizeRows(vectors, d, 0, m);
    return { values: small.values.slice(0, m), vectors };
  }
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
  // matMuls take it transposed. Xᵀ is formed once: a product with a transposed left operand ran 1.5× slower than
  // with a plain one on wasm.
  const xt = tf.transpose(x);
  const rand = createRandom(seed);
  const basis = new Float64Array(w * d);
  // Rows j·l … of cq hold XᵀX applied to basis block j: the Krylov step computes it anyway for the next block, so
  // the Rayleigh-Ritz matrix QᵀXᵀXQ costs one more thin product instead of forming XQ (rows·d·w) again.
  const cq = new Float64Array(w * d);
  const start = new Float64Array(l * d);
  for (let i = 0; i < start.length; i++) start[i] = rand.normal();
  orthonormalizeRows(start, d, 0, l);
  try {
    for (let k = 0; k <= blocks; k++) {
      const src = k === 0 ? start : basis.subarray((k - 1) * l * d, k * l * d);
      const z = product(() => tf.matMul(xt, tf.matMul(x, tensor(src, l, d), false, true)));
      if (k > 0) transposeInto(z, d, l, cq, (k - 1) * l * d);
      if (k === blocks) break;
      transposeInto(z, d, l, basis, k * l * d);
      projectOut(basis, d, k * l, (k + 1) * l);
      orthonormalizeRows(basis, d, k * l, (k + 1) * l, k * l);
      yield;
    }
  } finally {
    xt.dispose();
  }
  // Rayleigh-Ritz: B = Qᵀ(XᵀXQ)/(rows − 1), then rotate Q by B's eigenvectors.
  const bm = product(() => tf.matMul(tensor(basis, w, d), tensor(cq, w, d), false, true));
  symmetrize(bm, w, inv);
  const small = symmetricEigen(bm, w);
  const axes = product(() => tf.matMul(tensor(small.vectors.subarray(0, m * w), m, w), tensor(basis, w, d)));
  return { values: small.values.slice(0, m), vectors: axes };
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
  // Centred in the backend (a JS loop took 4–6 ns an element here, 70 ms for 5,000×784): float32, as the
  // products that follow are. The mean is a product with a row of 1/rows: tf.mean over axis 0 transposes the
  // whole sample first.
  const raw = n <= o.sampleSize ? rowBlock(data, d, 0, n) : gatherRows(data, rows, d);
  const [x, meanTensor] = tf.tidy(() => {
    const sample = tf.tensor2d(raw, [rows.length, d]);
    const mu = tf.matMul(tf.fill([1, rows.length], 1 / rows.length), sample);
    return [tf.sub(sample, mu) as tf.Tensor2D, mu];
  });
  const mean = Float64Array.from(meanTensor.dataSync());
  meanTensor.dispose();
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
  const mu = tf.tensor1d(Float32Array.from(mean));
  try {
    // (x − μ)·Aᵀ, centred block by block in the backend before the product, so float32 products do not lose the
    // small variations around a large mean.
    for (let r0 = 0; r0 < n; r0 += blockRows) {
      const rows = Math.min(blockRows, n - r0);
      const y = tf.tidy(() =>
        tf.matMul(tf.sub(tf.tensor2d(rowBlock(data, d, r0, rows), [rows, d]), mu), a, false, true),
      );
      out.set(y.dataSync(), r0 * m);
      y.dispose();
      yield;
    }
  } finally {
    a.dispose();
    mu.dispose();
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
