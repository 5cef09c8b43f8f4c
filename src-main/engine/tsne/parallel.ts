import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

import type { SparseMatrix } from './affinities.js';
import { Fft2d } from './fft.js';
import { attractiveKernel } from './gradient.js';
import { barnesHutSplit, buildQuadTree, emptyQuadTree, traverseQuadTree } from './gradient-bh.js';
import { convolveGridB, type FftGridHelper } from './gradient-fft.js';

/** ctl[1] value by which the helper reports that it failed. */
const FAILED = -2;

// Bundlers that keep function names (esbuild's keepNames, as tsx uses) call a __name helper inside function bodies;
// the shim makes the shipped sources self-sufficient. Any other failure is reported through ctl[1] = FAILED.
const WORKER_SOURCE = `
var __name = (f) => f;
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData.ctl);
try {
const Fft2d = ${Fft2d.toString()};
const convolveGridB = ${convolveGridB.toString()};
let fft = null;
let grids = null;
const attractiveKernel = ${attractiveKernel.toString()};
const emptyQuadTree = ${emptyQuadTree.toString()};
const buildQuadTree = ${buildQuadTree.toString()};
const traverseQuadTree = ${traverseQuadTree.toString()};
const tree = emptyQuadTree();
const rep = new Float64Array(workerData.rep);
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
  if (Atomics.load(ctl, 2) === 1) {
    // Barnes-Hut share: the same tree as the caller's, points [split, n).
    buildQuadTree(y, workerData.n, tree);
    param[2] = traverseQuadTree(y, param[1], param[3], workerData.n, rep, tree);
  }
  attractiveKernel(rowPtr, colInd, values, y, param[0], out, 0, workerData.n);
  if (Atomics.load(ctl, 2) === 2) {
    // FFT share: grid b, once the caller has spread the charges (ctl[3] = this round's number).
    // Wait on the value just compared, or a store landing in between would be slept through.
    for (let v = Atomics.load(ctl, 3); v !== seen; v = Atomics.load(ctl, 3)) Atomics.wait(ctl, 3, v, 50);
    const L = param[4];
    for (let msg; (msg = receiveMessageOnPort(workerData.port)) !== undefined; ) grids = msg.message;
    while (!grids || grids.L !== L) {
      Atomics.wait(ctl, 3, seen, 5);
      for (let msg; (msg = receiveMessageOnPort(workerData.port)) !== undefined; ) grids = msg.message;
    }
    if (!fft || fft.size !== L) fft = new Fft2d(L);
    convolveGridB(fft, new Float64Array(grids.bRe), new Float64Array(grids.bIm), new Float64Array(grids.kRe), new Float64Array(grids.kIm), L, param[5]);
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
} catch (e) {
  Atomics.store(ctl, 1, ${FAILED});
  Atomics.notify(ctl, 1);
  throw e;
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
export class AttractionHelper implements FftGridHelper {
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  private readonly param: Float64Array;
  private readonly y: Float64Array;
  private readonly out: Float64Array;
  private readonly rep: Float64Array;
  private split = -1;
  private readonly port: MessagePort;
  private gridMode = false;
  private seq = 0;
  private closed = false;
  private answered = false;

  private constructor(p: SparseMatrix) {
    const n = p.n;
    this.ctl = new Int32Array(new SharedArrayBuffer(16));
    this.param = new Float64Array(new SharedArrayBuffer(48));
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.rep = new Float64Array(new SharedArrayBuffer(16 * n));
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
        rep: this.rep.buffer,
        port: channel.port2,
      },
      transferList: [channel.port2],
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

  /**
   * Starts computing the attractive forces of y (copied) with the given exaggeration and, when `theta` is given,
   * the Barnes-Hut repulsion of points [barnesHutSplit(n), n).
   */
  start(y: Float64Array, exaggeration: number, theta?: number, fftGrid = false): void {
    this.y.set(y);
    this.param[0] = exaggeration;
    const n = y.length / 2;
    this.split = theta === undefined ? -1 : barnesHutSplit(n);
    this.gridMode = fftGrid && this.split < 0;
    Atomics.store(this.ctl, 2, this.split >= 0 ? 1 : this.gridMode ? 2 : 0);
    if (this.split >= 0) {
      this.param[1] = theta as number;
      this.param[3] = this.split;
    }
    this.seq = (this.seq % 0x3fffffff) + 1;
    Atomics.store(this.ctl, 0, this.seq);
    Atomics.notify(this.ctl, 0);
  }

  /**
   * Waits for the work started last: copies the attractive forces to `attraction` and, in Barnes-Hut mode, the
   * repulsion of the helper's points into `repulsion`, returning their part of Z (0 otherwise). NaN if the helper
   * died: then compute everything yourself.
   */
  finish(attraction: Float64Array, repulsion?: Float64Array): number {
    if (Number.isNaN(this.wait())) return NaN;
    attraction.set(this.out);
    if (this.split < 0) return 0;
    repulsion?.set(this.rep.subarray(2 * this.split), 2 * this.split);
    return this.param[2];
  }

  /** Blocks until this round is done; NaN (and the helper closed) if it does not finish within a minute. */
  private wait(): number {
    // Wait on the value just compared, or a store landing in between would be slept through.
    for (let waited = 0, v = Atomics.load(this.ctl, 1); v !== this.seq; waited++, v = Atomics.load(this.ctl, 1)) {
      // A helper that never answered its first round (e.g. its source failed to parse) is given 10 s, then 60 s.
      if (this.closed || v === FAILED || waited > (this.answered ? 600 : 100)) {
        this.close();
        return NaN;
      }
      Atomics.wait(this.ctl, 1, v, 100);
    }
    this.answered = true;
    return 0;
  }

  allocateGrids(L: number) {
    const make = () => new Float64Array(new SharedArrayBuffer(8 * L * L));
    const g = { kRe: make(), kIm: make(), bRe: make(), bIm: make() };
    this.port.postMessage({ L, kRe: g.kRe.buffer, kIm: g.kIm.buffer, bRe: g.bRe.buffer, bIm: g.bIm.buffer });
    return g;
  }

  startGridB(L: number, m: number): boolean {
    if (!this.gridMode || this.closed) return false;
    this.param[4] = L;
    this.param[5] = m;
    Atomics.store(this.ctl, 3, this.seq);
    Atomics.notify(this.ctl, 3);
    return true;
  }

  finishGridB(): boolean {
    return !Number.isNaN(this.wait());
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
