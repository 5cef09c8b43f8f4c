/**
 * The approximate kNN's second thread (knn.ts, KnnHelper): runs the tasks it is
 * sent on shared arrays (a tree's leaves from a position on, refinement rows,
 * sorting rows) and answers { ok } for each; sets `loaded` to 1 once loaded.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { KnnHeaps, type KnnTask, leafRange, refineRows } from './knn.js';

const port = parentPort!;
const {
  x: sharedX,
  n,
  d,
  k,
  leafSize,
  loaded,
} = workerData as {
  x: Float64Array;
  n: number;
  d: number;
  k: number;
  leafSize: number;
  loaded: Int32Array;
};
const x = new Float64Array(sharedX.buffer as SharedArrayBuffer);
const block = new Float64Array(leafSize * d);
const pairs = new Float64Array(leafSize * leafSize);
// This thread's own stamps: the leaves' (n + 1 long) and the refinement's (n long), as on the calling thread.
const leafStamp = new Int32Array(n + 1).fill(-1);
const rowStamp = new Int32Array(n).fill(-1);

port.on('message', (task: KnnTask & { dist: Float64Array; idx: Int32Array }) => {
  try {
    const heaps = new KnnHeaps(n, k, task.dist, task.idx);
    if (task.type === 'leaves')
      leafRange(x, d, task.perm, task.start, task.end, task.from, task.to, heaps, block, pairs, leafStamp);
    else if (task.type === 'refine')
      refineRows(x, d, task.indices, task.fresh, heaps, task.from, task.to, task.e1, task.e2, rowStamp);
    else heaps.sortRows(task.from, task.to);
    port.postMessage({ ok: true });
  } catch {
    port.postMessage({ ok: false });
  }
});
Atomics.store(loaded, 0, 1);
Atomics.notify(loaded, 0);
