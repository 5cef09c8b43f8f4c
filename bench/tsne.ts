/**
 * t-SNE benchmark on MNIST (PCA-50 of the pixels, comparable with scikit-learn's figure in issue 4).
 * Usage: npm run bench:tsne -- [--n 10000,70000] [--method auto|exact|barnes-hut|fft] [--iterations 750] [--threads 1|2]
 *        [--input pca50|codes] [--epochs 10]
 * --input codes trains the deep fully-connected autoencoder (784-128-64-32) on the N images first and
 * projects its 32-d codes, as the app does; training time is printed apart and not in the total.
 *        [--anchor PATH/TO/fast_tsne] [--repeat K]
 * --anchor runs a FIt-SNE binary (built outside the repository) on the same input with the same parameters and
 * initialisation after each of ours (--repeat K interleaves K pairs), prints its line too and the ratio line; KL
 * (against our P, with the exact Z up to 20,000 points, else the FFT one) and 10-NN accuracy are computed the same
 * way for both embeddings. Prints one summary line per run.
 */
import { selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { takeFirst } from '../src-main/engine/datasets/types.js';
import { knnAccuracy, trustworthiness } from '../src-main/engine/metrics/index.js';
import { pca } from '../src-main/engine/projection/pca.js';
import { trainAutoencoder } from '../src-main/engine/training/train.js';
import { klDivergence } from '../src-main/engine/tsne/gradient.js';
import { ExactRepulsion } from '../src-main/engine/tsne/gradient-exact.js';
import { FftRepulsion } from '../src-main/engine/tsne/gradient-fft.js';
import {
  computeAffinities,
  pcaInitialization,
  resolveOptions,
  runTsne,
  type TsneOptions,
} from '../src-main/engine/tsne/index.js';
import { runFitSne } from './fitsne.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('n', '10000,70000').split(',').map(Number);
const method = arg('method', 'auto') as TsneOptions['method'];
const iterations = Number(arg('iterations', '750'));
const threads = process.argv.includes('--threads') ? Number(arg('threads', '2')) : undefined;
const verbose = process.argv.includes('--verbose');
const input = arg('input', 'pca50');
if (input !== 'pca50' && input !== 'codes') throw new Error(`--input must be pca50 or codes, got "${input}"`);
const epochs = Number(arg('epochs', '10'));
const anchor = process.argv.includes('--anchor') ? arg('anchor', '') : null;
if (anchor === '') throw new Error('--anchor needs the path of a FIt-SNE fast_tsne binary');
const repeat = Number(arg('repeat', '1'));
if (!(Number.isInteger(repeat) && repeat >= 1))
  throw new Error(`--repeat must be an integer ≥ 1, got "${arg('repeat', '')}"`);
// PCA (the input and the initialisation) runs its matMuls on the backend the app would use.
await selectBackend();

/** The t-SNE input for the first n images: PCA-50 of the pixels, or a trained autoencoder's codes. */
async function tsneInput(pixels: Float32Array, n: number): Promise<{ x: Float32Array; d: number; prep: string }> {
  const t0 = performance.now();
  if (input === 'pca50') {
    const x = pca(pixels, n, 784, 50, 0);
    return { x, d: 50, prep: `pca=${((performance.now() - t0) / 1000).toFixed(1)}s` };
  }
  const ds = takeFirst(all, n);
  const r = await trainAutoencoder(ds, { model: 'deep', epochs });
  const x = await r.model.encode(ds);
  const last = r.epochs.at(-1)!;
  r.model.dispose();
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  return { x, d: 32, prep: `train=${secs}s (${r.epochs.length} epochs, val BCE ${last.valLoss?.toFixed(4)})` };
}

/** KL(P‖Q) of an embedding, with Z exact up to 20,000 points and from the FFT interpolation above. */
function klOf(p: Awaited<ReturnType<typeof computeAffinities>>, y32: Float32Array, n: number): number {
  const y = Float64Array.from(y32);
  const scratch = new Float64Array(2 * n);
  const z = (n <= 20000 ? new ExactRepulsion() : new FftRepulsion()).compute(y, n, scratch);
  return klDivergence(p, y, z);
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

const all = await loadMnist(Math.max(...sizes));
for (const n of sizes) {
  const pixels = new Float32Array(n * 784);
  for (let t = 0; t < pixels.length; t++) pixels[t] = all.pixels[t] / 255;
  const labels = all.labels.subarray(0, n);
  const { x, d, prep } = await tsneInput(pixels, n);
  const o = resolveOptions(n, { method, iterations, threads });
  // The common yardstick for both embeddings (not timed).
  const pRef = await computeAffinities(x, n, d, o);
  const ours: { total: number; kl: number; acc: number }[] = [];
  const theirs: { total: number; kl: number; acc: number }[] = [];
  for (let rep = 0; rep < repeat; rep++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await runTsne(
      x,
      n,
      d,
      { method, iterations, threads },
      {
        onProgress: verbose
          ? (p) => {
              if (p.phase === 'optimize' && p.iteration % 50 === 0)
                console.error(
                  `  it ${p.iteration} kl ${p.kl?.toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(1)} s`,
                );
            }
          : undefined,
      },
    );
    const total = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const acc = knnAccuracy(r.embedding, n, 2, labels, 10);
    const tw = trustworthiness(x, d, r.embedding, 2, n, 10, 500, 1);
    const kl = klOf(pRef, r.embedding, n);
    ours.push({ total, kl, acc });
    console.log(
      `tsne mnist-${input} N=${n} method=${method} threads=${threads ?? 'auto'} affinities=${r.seconds.affinities.toFixed(1)}s ` +
        `optimize=${r.seconds.optimize.toFixed(1)}s total=${total.toFixed(1)}s cpu=${cpuSeconds.toFixed(1)}s KL=${kl.toFixed(3)} ` +
        `knn10=${acc.toFixed(4)} trust10=${tw.toFixed(4)} (${prep} not in total)`,
    );
    if (anchor) {
      const f = await runFitSne(anchor, x, n, d, pcaInitialization(x, n, d, o.seed), {
        perplexity: o.perplexity,
        iterations: o.iterations,
        exaggerationIterations: o.exaggerationIterations,
        earlyExaggeration: o.earlyExaggeration,
        learningRate: o.learningRate,
        momentum: o.momentum,
        finalMomentum: o.finalMomentum,
        threads: 2,
        seed: o.seed,
      });
      const facc = knnAccuracy(f.embedding, n, 2, labels, 10);
      const fkl = klOf(pRef, f.embedding, n);
      theirs.push({ total: f.seconds.total, kl: fkl, acc: facc });
      console.log(
        `fitsne mnist-${input} N=${n} threads=2 affinities=${f.seconds.affinities.toFixed(1)}s ` +
          `optimize=${f.seconds.optimize.toFixed(1)}s total=${f.seconds.total.toFixed(1)}s KL=${fkl.toFixed(3)} ` +
          `knn10=${facc.toFixed(4)} (same input and initialisation)`,
      );
    }
  }
  if (anchor) {
    const m = (v: { total: number; kl: number; acc: number }[], k: 'total' | 'kl' | 'acc') =>
      median(v.map((e) => e[k]));
    console.log(
      `ours/FIt-SNE: total ${(m(ours, 'total') / m(theirs, 'total')).toFixed(2)}, ` +
        `KL ${m(ours, 'kl').toFixed(3)}/${m(theirs, 'kl').toFixed(3)}, 10-NN ${m(ours, 'acc').toFixed(4)}/${m(theirs, 'acc').toFixed(4)}` +
        (repeat > 1 ? ` (medians of ${repeat} interleaved runs)` : ''),
    );
  }
}
