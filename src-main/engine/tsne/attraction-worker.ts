/**
 * The helper thread of t-SNE (see parallel.ts): on every round it computes
 * the attractive forces and, as asked, the last part of the Barnes-Hut
 * repulsion or the FFT's second grid convolution, in shared memory, and
 * signals through `ctl` (an Int32Array over a SharedArrayBuffer):
 * ctl[0] round to do (−1: stop), ctl[1] round done (FAILED: it failed),
 * ctl[2] mode (1 Barnes-Hut share, 2 FFT share), ctl[3] FFT grid ready,
 * ctl[4] 1 once this module has loaded.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';

import { FAILED, type HelperData, LOADED } from './helper-memory.js';

const data = workerData as HelperData;
const ctl = new Int32Array(data.ctl);

/** The FFT grids the caller shares for the current grid size. */
interface Grids {
  L: number;
  kRe: SharedArrayBuffer;
  kIm: SharedArrayBuffer;
  bRe: SharedArrayBuffer;
  bIm: SharedArrayBuffer;
}

try {
  // Imported here, inside the try, so a module that fails to load is reported through ctl[1] at once
  // instead of leaving the caller to time out.
  const { Fft2d } = await import('./fft.js');
  const { attractiveKernel } = await import('./gradient.js');
  const { buildQuadTree, emptyQuadTree, traverseQuadTree } = await import('./gradient-bh.js');
  const { convolveGridB } = await import('./gradient-fft.js');
  const port = data.port as MessagePort;
  const tree = emptyQuadTree();
  const rep = new Float64Array(data.rep);
  const param = new Float64Array(data.param);
  const rowPtr = new Int32Array(data.rowPtr);
  const colInd = new Int32Array(data.colInd);
  const values = new Float64Array(data.values);
  const y = new Float64Array(data.y);
  const out = new Float64Array(data.out);
  let fft: InstanceType<typeof Fft2d> | null = null;
  let grids: Grids | null = null;
  const drain = () => {
    for (let msg; (msg = receiveMessageOnPort(port)) !== undefined;) grids = msg.message as Grids;
  };
  Atomics.store(ctl, 4, LOADED);
  Atomics.notify(ctl, 4);
  Atomics.notify(ctl, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (seen < 0) break;
    if (Atomics.load(ctl, 2) === 1) {
      // Barnes-Hut share: the same tree as the caller's, points [split, n).
      buildQuadTree(y, data.n, tree);
      param[2] = traverseQuadTree(y, param[1]!, param[3]!, data.n, rep, tree);
    }
    // Rows [param[7], n): in FFT mode the caller takes the first ones while this thread convolves grid b.
    attractiveKernel(rowPtr, colInd, values, y, param[0]!, out, Atomics.load(ctl, 2) === 2 ? param[7]! : 0, data.n);
    if (Atomics.load(ctl, 2) === 2) {
      // FFT share: grid b, once the caller has spread the charges (ctl[3] = this round's number).
      // Wait on the value just compared, or a store landing in between would be slept through.
      for (let v = Atomics.load(ctl, 3); v !== seen; v = Atomics.load(ctl, 3)) Atomics.wait(ctl, 3, v, 50);
      const L = param[4]!;
      drain();
      while (!grids || (grids as Grids).L !== L) {
        Atomics.wait(ctl, 3, seen, 5);
        drain();
      }
      const g = grids as Grids;
      if (!fft || fft.size !== L) fft = new Fft2d(L);
      convolveGridB(
        fft,
        new Float64Array(g.bRe),
        new Float64Array(g.bIm),
        new Float64Array(g.kRe),
        new Float64Array(g.kIm),
        L,
        param[5]!,
      );
      // When this round's share was done, on the clock both threads read, for the caller's balancing.
      param[6] = performance.timeOrigin + performance.now();
    }
    Atomics.store(ctl, 1, seen);
    Atomics.notify(ctl, 1);
  }
} catch (e) {
  Atomics.store(ctl, 1, FAILED);
  Atomics.notify(ctl, 1);
  throw e;
}
