import * as tf from '@tensorflow/tfjs';

import { heapOffset, type SimdExports, simdKernels } from './simd/index.js';
import { type KernelArgs, originalWasmKernel } from './util.js';

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * How the box `begin`/`size` of a row-major array of `shape` lies in it:
 * `k` is the innermost axis not taken whole (−1 when the box is the whole
 * array), every axis after it merges into runs of `runLen` contiguous
 * elements, the first at `base`; `strides` are the array's, per axis.
 */
function boxLayout(shape: readonly number[], begin: readonly number[], size: readonly number[]) {
  const rank = shape.length;
  let k = rank - 1;
  let whole = 1;
  while (k >= 0 && size[k] === shape[k]) whole *= shape[k--]!;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  let base = 0;
  for (let i = 0; i < rank; i++) base += begin[i]! * strides[i]!;
  return { k, runLen: k < 0 ? whole : whole * size[k]!, strides, base };
}

/**
 * Copies the box `begin`/`size` of a row-major array of shape `shape` from
 * `src` into `dst` (packed). Trailing axes taken whole are merged into one
 * contiguous run, so the copy is a few `set` calls rather than one per element.
 */
export function copyBox(src: Heap, shape: number[], begin: number[], size: number[], dst: Heap): void {
  const { k, runLen, strides, base } = boxLayout(shape, begin, size);
  if (k < 0) {
    dst.set(src.subarray(0, runLen));
    return;
  }
  // Odometer over the axes before k.
  const idx = new Array<number>(k).fill(0);
  let o = 0;
  const total = size.slice(0, k).reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    let off = base;
    for (let i = 0; i < k; i++) off += idx[i]! * strides[i]!;
    if (runLen < 16) for (let j = 0; j < runLen; j++) dst[o + j] = src[off + j]!;
    else dst.set(src.subarray(off, off + runLen), o);
    o += runLen;
    for (let i = k - 1; i >= 0; i--) {
      if (++idx[i]! < size[i]!) break;
      idx[i] = 0;
    }
  }
}

/**
 * `Slice` for wasm. The package's kernel first copies the whole input out of
 * the heap (readSync) and then copies one innermost row at a time; cropping
 * a batch of images or unstacking a sequence made that dominate a training
 * step. This one reads the heap in place and copies merged runs.
 */
export function slice(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalWasmKernel('Slice')(args);
  const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  const out = backend.makeOutput(s, x.dtype);
  if (!s.every((d) => d > 0)) return out;
  const simd = x.dtype === 'float32' || x.dtype === 'int32' ? simdKernels(backend) : null;
  const plan = simd ? boxRuns(x.shape, b, s) : null;
  if (simd && plan) copyRuns(simd, heapOffset(backend, x), heapOffset(backend, out), plan, 'into packed');
  else copyBox(backend.typedArrayFromHeap(x) as Heap, x.shape, b, s, backend.typedArrayFromHeap(out) as Heap);
  return out;
}

/** A box of a row-major array as runs: counts and strides of three outer axes, each run contiguous. */
export interface BoxRuns {
  counts: [number, number, number];
  strides: [number, number, number];
  /** Offset of the box's first element, in elements. */
  base: number;
  run: number;
}

/**
 * The box `begin`/`size` of an array of `shape` as at most three outer axes
 * of contiguous runs (trailing axes taken whole merge into the run), or null
 * where it needs more outer axes.
 */
export function boxRuns(shape: readonly number[], begin: readonly number[], size: readonly number[]): BoxRuns | null {
  const { k, runLen, strides, base } = boxLayout(shape, begin, size);
  if (k < 0) return { counts: [1, 1, 1], strides: [0, 0, 0], base: 0, run: runLen };
  // Outer axes of size 1 add nothing; drop them so more boxes fit in three.
  const outer = [...Array(k).keys()].filter((i) => size[i] !== 1);
  if (outer.length > 3) return null;
  while (outer.length < 3) outer.unshift(-1);
  return {
    counts: outer.map((i) => (i < 0 ? 1 : size[i]!)) as [number, number, number],
    strides: outer.map((i) => (i < 0 ? 0 : strides[i]!)) as [number, number, number],
    base,
    run: runLen,
  };
}

/** Strides of the three outer axes when the runs are packed one after another. */
function packedStrides(counts: readonly [number, number, number], run: number): [number, number, number] {
  return [counts[1] * counts[2] * run, counts[2] * run, run];
}

/**
 * Copies a box's runs (simd/kernels.c `copy_strided`; 4-byte elements, byte
 * offsets): out of the array at `from` into a packed array at `to` (a
 * slice), or from a packed array at `from` into its place in the array at
 * `to` (a pad).
 */
export function copyRuns(
  simd: SimdExports,
  from: number,
  to: number,
  plan: BoxRuns,
  direction: 'into packed' | 'from packed',
): void {
  const [n0, n1, n2] = plan.counts;
  const packed = packedStrides(plan.counts, plan.run);
  const [src, dst, s, d] =
    direction === 'into packed'
      ? [from + 4 * plan.base, to, plan.strides, packed]
      : [from, to + 4 * plan.base, packed, plan.strides];
  simd.copy_strided(src, dst, n0, n1, n2, s[0], s[1], s[2], d[0], d[1], d[2], plan.run);
}

/**
 * `Unpack` (unstack) for wasm: one output per index along `axis`, each a
 * box copy straight from the heap. The package's version slices once per
 * output with its Slice, copying the whole input every time — quadratic in
 * the sequence length, and the LSTM unstacks every sequence.
 */
export function unpack(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.value as tf.TensorInfo;
  if (x.dtype === 'string')
    return (originalWasmKernel('Unpack') as unknown as (a: KernelArgs) => tf.TensorInfo[])(args);
  let axis = (attrs as { axis: number }).axis;
  if (axis < 0) axis += x.shape.length;
  const n = x.shape[axis]!;
  const outShape = x.shape.filter((_, i) => i !== axis);
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < n; i++) outs.push(backend.makeOutput(outShape, x.dtype));
  const src = backend.typedArrayFromHeap(x) as Heap;
  const size = x.shape.slice();
  size[axis] = 1;
  const begin = new Array<number>(x.shape.length).fill(0);
  outs.forEach((out, i) => {
    begin[axis] = i;
    copyBox(src, x.shape, begin, size, backend.typedArrayFromHeap(out) as Heap);
  });
  return outs;
}

/**
 * `SplitV` for wasm: consecutive pieces along `axis`, each a box copy from
 * the heap (the package's version, like its Unpack, copies the whole input
 * once per piece; an LSTM cell splits its gates this way at every step).
 */
export function splitV(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string')
    return (originalWasmKernel('SplitV') as unknown as (a: KernelArgs) => tf.TensorInfo[])(args);
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, $axis);
  const outs = sizes.map((n) => {
    const shape = x.shape.slice();
    shape[$axis] = n;
    return backend.makeOutput(shape, x.dtype);
  });
  const src = backend.typedArrayFromHeap(x) as Heap;
  const begin = new Array<number>(x.shape.length).fill(0);
  outs.forEach((out) => {
    if (out.shape.every((d) => d > 0)) copyBox(src, x.shape, begin, out.shape, backend.typedArrayFromHeap(out) as Heap);
    begin[$axis] += out.shape[$axis]!;
  });
  return outs;
}
