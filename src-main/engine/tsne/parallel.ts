import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';

import { startWorker } from '../util/threads.js';
import type { SparseMatrix } from './affinities.js';
import { attractiveKernel } from './gradient.js';
import { barnesHutSplit } from './gradient-bh.js';
import type { FftGridHelper } from './gradient-fft.js';
import { CTL_SLOTS, FAILED, type HelperData, LOADED } from './helper-memory.js';

/** src itself when it is over shared memory already (symmetrize's P is), else a shared copy. */
function shared<T extends Int32Array | Float64Array>(src: T, make: (b: SharedArrayBuffer) => T): T {
  if (src.buffer instanceof SharedArrayBuffer) return src;
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
  /** FFT mode: the caller computes the attraction of rows [0, mine) while the helper convolves, the helper the rest. */
  private mine = 0;
  /** `mine` as this round started (the next round's may already be set). */
  private roundMine = 0;
  private mineOut: Float64Array | null = null;
  private exaggeration = 1;
  /** Attraction rows per millisecond on the calling thread, measured. */
  private rowsPerMs = 0;
  private readonly p: SparseMatrix;

  private constructor(p: SparseMatrix) {
    this.p = p;
    const n = p.n;
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_SLOTS));
    this.param = new Float64Array(new SharedArrayBuffer(64));
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.rep = new Float64Array(new SharedArrayBuffer(16 * n));
    this.y = new Float64Array(new SharedArrayBuffer(16 * n));
    this.out = new Float64Array(new SharedArrayBuffer(16 * n));
    const rowPtr = shared(p.rowPtr, (b) => new Int32Array(b));
    const colInd = shared(p.colInd, (b) => new Int32Array(b));
    const values = shared(p.values, (b) => new Float64Array(b));
    const workerData: HelperData = {
      n,
      ctl: this.ctl.buffer as SharedArrayBuffer,
      param: this.param.buffer as SharedArrayBuffer,
      rowPtr: rowPtr.buffer as SharedArrayBuffer,
      colInd: colInd.buffer as SharedArrayBuffer,
      values: values.buffer as SharedArrayBuffer,
      y: this.y.buffer as SharedArrayBuffer,
      out: this.out.buffer as SharedArrayBuffer,
      rep: this.rep.buffer as SharedArrayBuffer,
      port: channel.port2,
    };
    this.worker = startWorker(import.meta.url, 'attraction-worker', { workerData, transferList: [channel.port2] });
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

  /** Alive and its module loaded: rounds given to it now start at once. */
  get loaded(): boolean {
    return !this.closed && Atomics.load(this.ctl, 4) === LOADED;
  }

  /** Blocks until the helper has loaded, at most `ms`. */
  waitLoaded(ms: number): void {
    if (!this.closed) Atomics.wait(this.ctl, 4, 0, ms);
  }

  /**
   * Starts computing the attractive forces of y (copied) with the given exaggeration and, when `theta` is given,
   * the Barnes-Hut repulsion of points [barnesHutSplit(n), n).
   */
  start(y: Float64Array, exaggeration: number, theta?: number, fftGrid = false, attraction?: Float64Array): void {
    this.y.set(y);
    this.param[0] = exaggeration;
    const n = y.length / 2;
    this.split = theta === undefined ? -1 : barnesHutSplit(n);
    this.gridMode = fftGrid && this.split < 0;
    if (!this.gridMode || !attraction) this.mine = 0;
    this.mineOut = attraction ?? null;
    this.exaggeration = exaggeration;
    this.roundMine = this.mine;
    this.param[7] = this.roundMine;
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
    const from = this.gridMode ? 2 * this.roundMine : 0;
    attraction.set(from ? this.out.subarray(from) : this.out, from);
    if (this.split < 0) return 0;
    repulsion?.set(this.rep.subarray(2 * this.split), 2 * this.split);
    return this.param[2];
  }

  /**
   * Blocks until this round is done; NaN (and the helper closed) if it fails, or does not finish within a minute
   * (30 s while its module is still loading: from source that includes tsx compiling it).
   */
  private wait(): number {
    // Wait on the value just compared, or a store landing in between would be slept through.
    for (let waited = 0, v = Atomics.load(this.ctl, 1); v !== this.seq; waited++, v = Atomics.load(this.ctl, 1)) {
      const limit = Atomics.load(this.ctl, 4) === LOADED ? 600 : 300;
      if (this.closed || v === FAILED || waited > limit) {
        this.close();
        return NaN;
      }
      Atomics.wait(this.ctl, 1, v, 100);
    }
    return 0;
  }

  allocateGrids(L: number) {
    const make = () => new Float64Array(new SharedArrayBuffer(8 * L * L));
    const g = { kRe: make(), kIm: make(), bRe: make(), bIm: make() };
    this.port.postMessage({ L, kRe: g.kRe.buffer, kIm: g.kIm.buffer, bRe: g.bRe.buffer, bIm: g.bIm.buffer });
    return g;
  }

  startGridB(L: number, m: number): boolean {
    if (!this.gridMode || !this.loaded) return false;
    this.param[4] = L;
    this.param[5] = m;
    Atomics.store(this.ctl, 3, this.seq);
    Atomics.notify(this.ctl, 3);
    return true;
  }

  /**
   * While the helper convolves grid b: the attraction of rows [0, mine), straight into the caller's array. Then the
   * split moves by half the measured imbalance (the helper's finishing time against this thread's arrival, in
   * rows at this thread's rate), so both threads finish together from then on; the result does not depend on it.
   */
  sideWork(): void {
    if (!this.gridMode || !this.mineOut) return;
    const t0 = performance.now();
    if (this.roundMine > 0) {
      const { rowPtr, colInd, values } = this.p;
      attractiveKernel(rowPtr, colInd, values, this.y, this.exaggeration, this.mineOut, 0, this.roundMine);
      const ms = performance.now() - t0;
      if (ms > 0.2) this.rowsPerMs = this.roundMine / ms;
    }
    this.arrival = performance.timeOrigin + performance.now();
  }

  private arrival = 0;

  finishGridB(): boolean {
    if (Number.isNaN(this.wait())) return false;
    if (this.gridMode && this.mineOut && this.arrival > 0) {
      const n = this.p.n;
      const lag = this.param[6] - this.arrival;
      // Before any measurement, guess: all rows in 50 ms.
      const rate = this.rowsPerMs || n / 50;
      this.mine = Math.max(0, Math.min(n, Math.round(this.mine + 0.5 * lag * rate)));
      this.arrival = 0;
    }
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
