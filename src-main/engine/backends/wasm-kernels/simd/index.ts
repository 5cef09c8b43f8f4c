import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { SIMD_WASM_BASE64, SIMD_WASM_SHARED_BASE64 } from './binary.js';

/** The functions of kernels.c; pointers are byte offsets into tfjs-backend-wasm's memory. */
export interface SimdExports {
  log_f32(src: number, dst: number, n: number): void;
  bce(y: number, x: number, grad: number, n: number, eps: number, scale: number): number;
  sum_rows(src: number, out: number, rows: number, c: number): void;
  conv2d_filter_grad(
    x: number,
    dy: number,
    dw: number,
    nb: number,
    h: number,
    w: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
  max_pool_grad_2x2(
    x: number,
    dy: number,
    dx: number,
    nb: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
  ): number;
  resize_nearest_grad_2x(dy: number, dx: number, nb: number, h: number, w: number, c: number): number;
  resize_nearest_2x(x: number, y: number, nb: number, h: number, w: number, c: number): number;
  relu_grad(x: number, dy: number, dx: number, n: number): void;
  copy_strided(
    src: number,
    dst: number,
    n0: number,
    n1: number,
    n2: number,
    s0: number,
    s1: number,
    s2: number,
    d0: number,
    d1: number,
    d2: number,
    run: number,
  ): void;
  bias_add(x: number, b: number, out: number, rows: number, c: number): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    out: number,
    n: number,
    b1: number,
    b2: number,
    step: number,
    invC2: number,
    eps: number,
  ): void;
  conv2d_one_filter(
    x: number,
    f: number,
    out: number,
    nb: number,
    h: number,
    w: number,
    ci: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
    bias: number,
  ): void;
}

/** Bytes of stack the module gets (its functions use none today; build-simd exports the pointer in case). */
const STACK_BYTES = 64 * 1024;

/** The little of the WebAssembly API used here (the node tsconfig has no DOM or WebAssembly types). */
interface Wasm {
  Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
type Memory = InstanceType<Wasm['Memory']>;

const instances = new WeakMap<Memory, SimdExports>();
let disabled = process.env.AE_SIMD_KERNELS === '0';
const modules: { plain?: object; shared?: object } = {};

/** Turns our SIMD kernels off (or back on); wasm-kernels/index.ts `setSimdKernels` also drops the fused ones. */
export function setSimdEnabled(on: boolean): void {
  disabled = !on;
}

/**
 * Our SIMD kernels bound to this wasm backend's memory (the module built for
 * a shared memory when the threaded binary runs), or null where they are
 * turned off (AE_SIMD_KERNELS=0) or the memory cannot be found. They run on
 * the calling thread only. One instance per memory, so a restarted backend
 * (backends/health.ts) gets its own.
 */
export function simdKernels(backend: BackendWasm): SimdExports | null {
  if (disabled) return null;
  // (Any other backend has no wasm module: none.)
  const wasm = (backend as { wasm?: unknown }).wasm as
    { asm?: { memory?: unknown }; wasmMemory?: unknown; _malloc(bytes: number): number } | undefined;
  // The single-threaded binary exports its memory; the threaded one (a shared memory) keeps it in wasmMemory.
  const memory = wasm ? (wasm.asm?.memory ?? wasm.wasmMemory) : undefined;
  if (!(memory instanceof webAssembly.Memory)) return null;
  let found = instances.get(memory);
  if (!found) {
    const shared = !(memory.buffer instanceof ArrayBuffer);
    const module = shared
      ? (modules.shared ??= new webAssembly.Module(Buffer.from(SIMD_WASM_SHARED_BASE64, 'base64')))
      : (modules.plain ??= new webAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64')));
    const instance = new webAssembly.Instance(module, { env: { memory } });
    const stack = instance.exports.__stack_pointer as { value: number };
    // The stack grows down from the end of a block that tfjs's allocator hands out (and never reuses).
    stack.value = wasm!._malloc(STACK_BYTES) + STACK_BYTES;
    found = instance.exports as unknown as SimdExports;
    instances.set(memory, found);
  }
  return found;
}

/**
 * A conv's window as our conv kernels take it, after the sizes: filter
 * height and width, strides, top and left padding.
 */
export function convWindow(info: tf.backend_util.Conv2DInfo): [number, number, number, number, number, number] {
  return [
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return (backend as unknown as { dataIdMap: tf.DataStorage<{ memoryOffset: number }> }).dataIdMap.get(t.dataId)!
    .memoryOffset;
}
