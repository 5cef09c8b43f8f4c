import { Worker } from 'node:worker_threads';
import type { SparseMatrix } from './affinities.js';

/**
 * Attractive forces for rows [r0, r1): out_i = exaggeration · Σ_j p_ij w_ij (y_i − y_j).
 * Self-contained (no outside references) because its source is also shipped to the helper thread as text, which
 * keeps the worker independent of how the engine is bundled.
 */
export function attractiveKernel(
  rowPtr: Int32Array,
  colInd: Int32Array,
  values: Float64Array,
  y: Float64Array,
  exaggeration: number,
  out: Float64Array,
  r0: number,
  r1: number,
): void {
  for (let i = r0; i < r1; i++) {
    const yi0 = y[2 * i];
    const yi1 = y[2 * i + 1];
    let f0 = 0;
    let f1 = 0;
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const j = colInd[e];
      const d0 = yi0 - y[2 * j];
      const d1 = yi1 - y[2 * j + 1];
      const pw = values[e] / (1 + d0 * d0 + d1 * d1);
      f0 += pw * d0;
      f1 += pw * d1;
    }
    out[2 * i] = exaggeration * f0;
    out[2 * i + 1] = exaggeration * f1;
  }
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const attractiveKernel = ${attractiveKernel.toString()};
const ctl = new Int32Array(workerData.ctl);
const param = new Float64Array(workerData.param);
const rowPtr = new Int32Array(workerData.rowPtr);
const colInd = new Int32Array(workerData.colInd);
const values = new Float64Array(workerData.values);
const y = new Float64Array(workerData.y);
const out = new Float64Array(workerData.out);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (seen < 0) break;
  attractiveKernel(rowPtr, colInd, values, y, param[0], out, 0, workerData.n);
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
`;

function shared<T extends Int32Array | Float64Array>(src: T, make: (b: SharedArrayBuffer) => T): T {
  const dst = make(new SharedArrayBuffer(src.byteLength));
  dst.set(src as never);
  return dst;
}

/**
 * A helper thread that computes the attractive forces while the calling thread computes the repulsion, so both
 * cores work on every iteration. The caller blocks (Atomics.wait) only for whatever the helper has left.
 */
export class AttractionHelper {
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  private readonly param: Float64Array;
  private readonly y: Float64Array;
  private readonly out: Float64Array;
  private seq = 0;
  private closed = false;

  private constructor(p: SparseMatrix) {
    const n = p.n;
    this.ctl = new Int32Array(new SharedArrayBuffer(8));
    this.param = new Float64Array(new SharedArrayBuffer(8));
    this.y = new Float64Array(new SharedArrayBuffer(16 * n));
    this.out = new Float64Array(new SharedArrayBuffer(16 * n));
    const rowPtr = shared(p.rowPtr, (b) => new Int32Array(b));
    const colInd = shared(p.colInd, (b) => new Int32Array(b));
    const values = shared(p.values, (b) => new Float64Array(b));
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        n,
        ctl: this.ctl.buffer,
        param: this.param.buffer,
        rowPtr: rowPtr.buffer,
        colInd: colInd.buffer,
        values: values.buffer,
        y: this.y.buffer,
        out: this.out.buffer,
      },
    });
    this.worker.unref();
    this.worker.on('error', () => {
      this.closed = true;
    });
  }

  /** A helper for this P, or null where threads are unavailable. */
  static create(p: SparseMatrix): AttractionHelper | null {
    try {
      return new AttractionHelper(p);
    } catch {
      return null;
    }
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Starts computing the attractive forces of y (copied) with the given exaggeration. */
  start(y: Float64Array, exaggeration: number): void {
    this.y.set(y);
    this.param[0] = exaggeration;
    this.seq = (this.seq % 0x3fffffff) + 1;
    Atomics.store(this.ctl, 0, this.seq);
    Atomics.notify(this.ctl, 0);
  }

  /** Waits for the forces started last and copies them to out; false if the helper died (compute them yourself). */
  finish(out: Float64Array): boolean {
    for (let waited = 0; Atomics.load(this.ctl, 1) !== this.seq; waited++) {
      if (this.closed || waited > 600) return false;
      Atomics.wait(this.ctl, 1, Atomics.load(this.ctl, 1), 100);
    }
    out.set(this.out);
    return true;
  }

  /** Stops the thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, 0, -1);
    Atomics.notify(this.ctl, 0);
    void this.worker.terminate();
  }
}
