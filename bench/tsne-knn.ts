/** Recall and speed of the approximate kNN against the exact one on MNIST PCA-50. Usage: tsx bench/tsne-knn.ts [N] */
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { approximateKnn, exactKnn } from '../src-main/engine/neighbors/knn.js';
import { pca } from '../src-main/engine/projection/pca.js';
import { createRandom } from '../src-main/engine/util/random.js';

const n = Number(process.argv[2] ?? 10000);
const k = 90;
const ds = await loadMnist(n);
const px = new Float32Array(n * 784);
for (let t = 0; t < px.length; t++) px[t] = ds.pixels[t] / 255;
const x = pca(px, n, 784, 50, 0);
let t0 = performance.now();
const a = await approximateKnn(x, n, 50, k, createRandom(1));
const ta = (performance.now() - t0) / 1000;
t0 = performance.now();
const e = await exactKnn(x, n, 50, k);
const te = (performance.now() - t0) / 1000;
let hit = 0;
for (let i = 0; i < n; i++) {
  const s = new Set(e.indices.subarray(i * k, (i + 1) * k));
  for (let t = 0; t < k; t++) if (s.has(a.indices[i * k + t])) hit++;
}
console.log(
  `knn N=${n} k=${k} approximate=${ta.toFixed(1)}s exact=${te.toFixed(1)}s recall=${(hit / (n * k)).toFixed(4)}`,
);
