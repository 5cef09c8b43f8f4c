/**
 * Is the autoencoder's map better than PCA's? (issue 13.) On the first N images of a dataset, in one run:
 * PCA-50 of the pixels → t-SNE, then the default recipe (what Train & project does with no field touched:
 * models/recipe.ts) → codes → t-SNE, or the kinds given. Prints one line per input: 10-NN accuracy in 2-D
 * (leave-one-out), trustworthiness (k = 10, --trust-sample points, default 10,000) against the pixels for both, so they
 * compare, training seconds, t-SNE seconds and their ratio (timings in the same run: the machine is shared),
 * and the load average.
 * Usage: npm run bench:codes -- [--data mnist|<folder or CSV/.npy file>] [--n 10000] [--kinds <default>,deep]
 *                               [--epochs <n>] [--code-sizes 32,64] [--no-pca] [--code-knn] [--trust-sample 10000]
 *                               [--seeds 1,2,3]
 * --code-sizes trains each kind once per code size (default: the kind's own).
 * --code-knn also prints the 10-NN accuracy in code space (cheap; the screen used to pick candidates).
 * --seeds runs everything once per seed (training and t-SNE both take it; PCA's map its t-SNE), interleaved, then
 * prints each input's medians: a difference in the third decimal means something only beside the seeds' spread.
 */
import os from 'node:os';

import { selectBackend } from '../src-main/engine/backends/select.js';
import { loadFolder } from '../src-main/engine/datasets/index.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { itemSize, takeFirst } from '../src-main/engine/datasets/types.js';
import { matMulDistances } from '../src-main/engine/metrics/distances.js';
import { knnAccuracy, trustworthiness } from '../src-main/engine/metrics/index.js';
import { pca } from '../src-main/engine/projection/pca.js';
import { trainAutoencoder } from '../src-main/engine/training/train.js';
import { runTsne } from '../src-main/engine/tsne/index.js';
import { DEFAULT_MODEL_KIND, MODEL_KINDS, type ModelKind } from '../src-main/protocol.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const data = arg('data', 'mnist');
const limit = Number(arg('n', '10000'));
const kinds = arg('kinds', DEFAULT_MODEL_KIND).split(',') as ModelKind[];
for (const k of kinds)
  if (!MODEL_KINDS.includes(k)) throw new Error(`--kinds: unknown kind "${k}" (${MODEL_KINDS.join(', ')})`);
const epochs = process.argv.includes('--epochs') ? Number(arg('epochs', '10')) : undefined;
if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))
  throw new Error(`--epochs must be a positive integer`);
const codeSizes = process.argv.includes('--code-sizes') ? arg('code-sizes', '').split(',').map(Number) : [undefined];
for (const c of codeSizes)
  if (c !== undefined && !(Number.isInteger(c) && c >= 1)) throw new Error(`--code-sizes: "${c}" is not a size`);
const codeKnn = process.argv.includes('--code-knn');
const trustSample = Number(arg('trust-sample', '10000'));
if (!(Number.isInteger(trustSample) && trustSample >= 100)) throw new Error('--trust-sample must be an integer ≥ 100');
const seeds = process.argv.includes('--seeds') ? arg('seeds', '').split(',').map(Number) : [undefined];
for (const s of seeds)
  if (s !== undefined && !Number.isInteger(s)) throw new Error(`--seeds: "${s}" is not an integer seed`);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const backend = await selectBackend();
const full = data === 'mnist' ? await loadMnist(limit) : await loadFolder(data);
const ds = takeFirst(full, Math.min(limit, full.n));
const n = ds.n;
const size = itemSize(ds);
const pixels = new Float32Array(n * size);
for (let t = 0; t < pixels.length; t++) pixels[t] = ds.pixels[t] / 255;
console.log(
  `# ${ds.name} (${data}) N=${n} ${ds.height}×${ds.width}×${ds.channels}, backend ${backend.name}, load ${load()}`,
);

// Every map is measured against the same pixels: their norms are summed once.
const pixelDistances = matMulDistances(pixels, size, n);
const trustPoints = Math.min(n, trustSample);

/** t-SNE (the app's defaults) of x, and its 2-D 10-NN accuracy and trustworthiness against the pixels. */
const results = new Map<string, { knn: number; trust: number; ratio: number }[]>();
async function map(
  label: string,
  x: Float32Array,
  d: number,
  prepSeconds: number,
  prep: string,
  seed: number | undefined,
): Promise<void> {
  const t0 = performance.now();
  const r = await runTsne(x, n, d, seed !== undefined ? { seed } : {});
  const tsneSeconds = (performance.now() - t0) / 1000;
  const acc = knnAccuracy(r.embedding, n, 2, ds.labels, 10);
  const tw = trustworthiness(pixels, size, r.embedding, 2, n, 10, trustPoints, 1, pixelDistances);
  const extra = codeKnn ? ` code-knn10=${knnAccuracy(x, n, d, ds.labels, 10).toFixed(4)}` : '';
  if (!results.has(label)) results.set(label, []);
  results.get(label)!.push({ knn: acc, trust: tw, ratio: prepSeconds / tsneSeconds });
  console.log(
    `codes ${ds.name} input=${label} N=${n}${seed !== undefined ? ` seed=${seed}` : ''} knn10=${acc.toFixed(4)} trust10=${tw.toFixed(4)} (${trustPoints} sampled)${extra} ` +
      `${prep}=${prepSeconds.toFixed(1)}s tsne=${tsneSeconds.toFixed(1)}s ratio=${(prepSeconds / tsneSeconds).toFixed(2)} load ${load()}`,
  );
}

// PCA-50 of the pixels does not depend on the seed: fitted once, mapped once per seed.
const pcaInput = process.argv.includes('--no-pca')
  ? null
  : (() => {
      const t0 = performance.now();
      const d = Math.min(50, size);
      return { d, x: pca(pixels, n, size, d, 0), seconds: (performance.now() - t0) / 1000 };
    })();
for (const seed of seeds) {
  if (pcaInput) await map(`pca${pcaInput.d}`, pcaInput.x, pcaInput.d, pcaInput.seconds, 'pca', seed);
  for (const kind of kinds)
    for (const codeSize of codeSizes) {
      const t0 = performance.now();
      // What Train & project sends with no field touched: the kind alone (and the seed, when given).
      const r = await trainAutoencoder(ds, {
        model: kind,
        ...(epochs !== undefined ? { epochs } : {}),
        ...(codeSize !== undefined ? { codeSize } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      const x = await r.model.encode(ds);
      const codeDims = r.model.codeSize;
      r.model.dispose();
      const last = r.epochs.at(-1)!;
      console.log(
        `#   ${kind}: ${r.epochs.length} epochs${r.stoppedEarly ? ' (stopped early)' : ''}, val loss ${last.valLoss?.toFixed(4)}`,
      );
      const label = `${kind}${codeSize !== undefined ? `:${codeSize}` : ''}-codes`;
      await map(label, x, codeDims, trainSeconds, 'train', seed);
    }
}
if (seeds.length > 1) {
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  for (const [label, rs] of results) {
    const f = (k: 'knn' | 'trust' | 'ratio', digits: number) =>
      `${median(rs.map((r) => r[k])).toFixed(digits)} (${rs.map((r) => r[k].toFixed(digits)).join(', ')})`;
    console.log(
      `codes ${ds.name} input=${label} N=${n} median of ${rs.length} seeds: knn10=${f('knn', 4)} ` +
        `trust10=${f('trust', 4)} ratio=${f('ratio', 2)} load ${load()}`,
    );
  }
}
