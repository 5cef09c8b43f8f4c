/**
 * The cheap screen behind issue 13's choice of recipe: trains fully-connected autoencoders of the given shapes
 * on the first N images (all of them, no validation split) with a bench-local loop (any widths, code activation,
 * batch, learning rate and schedule, which the kinds do not all expose) and prints each one's 10-NN accuracy in
 * code space (leave-one-out), with --pca that of PCA-50 of the pixels. No t-SNE: bench/codes.ts maps the winners.
 * Usage: npx tsx bench/codes-screen.ts [--n 10000] [--data mnist|<folder>] [--pca]
 *          --recipes 'h=512,256;code=linear;epochs=10;lr=2e-3;sched=cos;batch=256 h=128,64;code=relu;steps=400'
 * (recipes separated by spaces; sched const|cos|lin; steps overrides epochs.)
 */
import * as tf from '@tensorflow/tfjs';

import { selectBackend } from '../src-main/engine/backends/select.js';
import { loadFolder } from '../src-main/engine/datasets/index.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { itemSize, takeFirst } from '../src-main/engine/datasets/types.js';
import { knnAccuracy } from '../src-main/engine/metrics/index.js';
import { chain, Initialisers, meanBce } from '../src-main/engine/models/common.js';
import { pca } from '../src-main/engine/projection/pca.js';
import { batchTensor, shuffleInPlace } from '../src-main/engine/training/batches.js';
import { createRandom } from '../src-main/engine/util/random.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const n0 = Number(arg('n', '10000'));
const data = arg('data', 'mnist');
await selectBackend();
const full = data === 'mnist' ? await loadMnist(n0) : await loadFolder(data);
const ds = takeFirst(full, Math.min(n0, full.n));
const n = ds.n;
const size = itemSize(ds);
const pixels = new Float32Array(n * size);
for (let t = 0; t < pixels.length; t++) pixels[t] = ds.pixels[t] / 255;
if (process.argv.includes('--pca')) {
  const t0 = performance.now();
  const x = pca(pixels, n, size, Math.min(50, size), 0);
  console.log(
    `pca50 n=${n} knn=${knnAccuracy(x, n, Math.min(50, size), ds.labels, 10).toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );
}
for (const spec of arg('recipes', '').split(' ').filter(Boolean)) {
  const o = Object.fromEntries(spec.split(';').map((kv) => kv.split('='))) as Record<string, string>;
  const hidden = o.h!.split(',').map(Number);
  const codeAct = (o.code ?? 'relu') as 'relu' | 'linear';
  const batch = Number(o.batch ?? 256);
  const lr0 = Number(o.lr ?? 1e-3);
  const sched = o.sched ?? 'const';
  const steps = o.steps ? Number(o.steps) : Math.ceil((Number(o.epochs) * n) / batch);
  const init = new Initialisers(1);
  const dense = (u: number, a: 'relu' | 'sigmoid' | 'linear') =>
    tf.layers.dense({ units: u, activation: a, kernelInitializer: init.kernel() });
  const x = tf.input({ shape: [size] });
  const code = chain(x, [...hidden.map((u) => dense(u, 'relu')), dense(32, codeAct)]);
  const enc = tf.model({ inputs: x, outputs: code });
  const y = chain(code, [...[...hidden].reverse().map((u) => dense(u, 'relu')), dense(size, 'sigmoid')]);
  const ae = tf.model({ inputs: x, outputs: y });
  const opt = tf.train.adam(lr0);
  const rnd = createRandom(1).next;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const t0 = performance.now();
  let step = 0;
  let loss = 0;
  while (step < steps) {
    shuffleInPlace(order, rnd);
    for (let b = 0; b * batch < n && step < steps; b++, step++) {
      const frac = step / steps;
      const lr =
        sched === 'cos' ? lr0 * 0.5 * (1 + Math.cos(Math.PI * frac)) : sched === 'lin' ? lr0 * (1 - frac) : lr0;
      (opt as unknown as { learningRate: number }).learningRate = lr;
      const idx = order.subarray(b * batch, Math.min(n, (b + 1) * batch));
      const xb = batchTensor(ds, idx, [size]);
      const l = opt.minimize(() => meanBce(xb, ae.apply(xb, { training: true }) as tf.Tensor), true)!;
      if (step % 50 === 0 || step === steps - 1) loss = (await l.data())[0]!;
      tf.dispose([xb, l]);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const codes = new Float32Array(n * 32);
  for (let s = 0; s < n; s += 1024) {
    const idx = Int32Array.from({ length: Math.min(1024, n - s) }, (_, i) => s + i);
    const c = tf.tidy(() => enc.predict(batchTensor(ds, idx, [size])) as tf.Tensor);
    codes.set(await c.data(), s * 32);
    c.dispose();
  }
  const acc = knnAccuracy(codes, n, 32, ds.labels, 10);
  console.log(
    `${spec} n=${n} steps=${steps} knn=${acc.toFixed(4)} loss=${loss.toFixed(4)} train=${secs.toFixed(1)}s tensors=${tf.memory().numTensors}`,
  );
  ae.dispose();
  opt.dispose();
}
