/**
 * t-SNE benchmark on MNIST (PCA-50 of the pixels, comparable with scikit-learn's figure in issue 4).
 * Usage: npm run bench:tsne -- [--n 10000,70000] [--method auto|exact|barnes-hut|fft] [--iterations 750] [--threads 1|2]
 *        [--input pca50|codes] [--epochs 10] [--verbose]
 * N above 70,000 (issue 17's million points) takes MNIST's 70,000 PCA-50 rows replicated, each copy with seeded
 * Gaussian jitter (σ = 0.1 per coordinate; nearest neighbours in PCA-50 are ~4 apart), labels repeated. There the
 * reference P for KL is not computed (it would be a second affinity run) and KL is printed as n/a; 10-NN accuracy
 * counts the replicas of a point, so it reads high. Each line gives the phases' seconds (knn, calibration,
 * symmetrize, optimize), the longest the event loop went without turning (maxStall: how long a cancel could wait)
 * and the process's peak resident memory up to the end of the t-SNE (GiB). --verbose prints each phase's start and every
 * 50th iteration to stderr.
 * --input codes trains the deep fully-connected autoencoder (784-128-64-32) on the N images first and
 * projects its 32-d codes, as the app does; training time is printed apart and not in the total.
 *        [--anchor PATH/TO/fast_tsne] [--repeat K] [--cancel knn:5,calibration:2,symmetrize:1,optimize:5]
 * --cancel runs, instead, one t-SNE per PHASE:SECONDS, cancelled that long after the phase's first progress report,
 * and prints how long the run took to return, counted from when the cancel was due (so a late timer, i.e. an event
 * loop held, counts): what a user waits after pressing Cancel.
 * --anchor runs a FIt-SNE binary (built outside the repository) on the same input with the same parameters and
 * initialisation after each of ours (--repeat K interleaves K pairs), prints its line too and the ratio line; KL
 * (against our P, with the exact Z up to 20,000 points, else the FFT one) and 10-NN accuracy are computed the same
 * way for both embeddings. Prints one summary line per run.
 */
import os from 'node:os';

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
import { createRandom } from '../src-main/engine/util/random.js';
import { runFitSne } from './fitsne.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizeArgs = arg('n', '10000,70000').split(',');
const sizes = sizeArgs.map(Number);
/** The largest --n: a million points took 4.4 GiB; twice that still fits the 24 GiB these machines have. */
const MAX_N = 2_000_000;
sizes.forEach((n, i) => {
  if (!(Number.isInteger(n) && n >= 100 && n <= MAX_N))
    throw new Error(`--n: "${sizeArgs[i]}" is not a whole number of points in [100, ${MAX_N}]`);
});
const method = arg('method', 'auto') as TsneOptions['method'];
const iterations = Number(arg('iterations', '750'));
const threads = process.argv.includes('--threads') ? Number(arg('threads', '2')) : undefined;
const verbose = process.argv.includes('--verbose');
const input = arg('input', 'pca50');
if (input !== 'pca50' && input !== 'codes') throw new Error(`--input must be pca50 or codes, got "${input}"`);
const epochs = Number(arg('epochs', '10'));
const anchor = process.argv.includes('--anchor') ? arg('anchor', '') : null;
if (anchor === '') throw new Error('--anchor needs the path of a FIt-SNE fast_tsne binary');
const cancels = process.argv.includes('--cancel')
  ? arg('cancel', '')
      .split(',')
      .map((c) => {
        const [phase, secs] = c.split(':');
        if (!['knn', 'calibration', 'symmetrize', 'optimize'].includes(phase ?? '') || !(Number(secs) >= 0))
          throw new Error(`--cancel: "${c}" is not PHASE:SECONDS (knn, calibration, symmetrize or optimize)`);
        return { phase: phase!, seconds: Number(secs) };
      })
  : null;
const repeat = Number(arg('repeat', '1'));
if (!(Number.isInteger(repeat) && repeat >= 1))
  throw new Error(`--repeat must be an integer ≥ 1, got "${arg('repeat', '')}"`);
// PCA (the input and the initialisation) runs its matMuls on the backend the app would use.
await selectBackend();

/** Above MNIST's size: its rows replicated to n, each copy but the first jittered (seeded). */
const MNIST_N = 70000;
const JITTER = 0.1;

/** The t-SNE input for the first n images: PCA-50 of the pixels, or a trained autoencoder's codes. */
async function tsneInput(pixels: Float32Array, n: number): Promise<{ x: Float32Array; d: number; prep: string }> {
  const t0 = performance.now();
  if (n > MNIST_N) {
    if (input !== 'pca50') throw new Error(`--n ${n}: above ${MNIST_N} only --input pca50 (replicated) is supported`);
    const base = pca(pixels, MNIST_N, 784, 50, 0);
    const x = new Float32Array(n * 50);
    const r = createRandom(17);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < 50; t++)
        x[i * 50 + t] = base[(i % MNIST_N) * 50 + t] + (i < MNIST_N ? 0 : JITTER * r.normal());
    return { x, d: 50, prep: `pca+replicate=${((performance.now() - t0) / 1000).toFixed(1)}s` };
  }
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
const rssGb = () => (process.memoryUsage.rss() / 2 ** 30).toFixed(2);
// maxRSS is in kilobytes.
const peakGb = () => (process.resourceUsage().maxRSS / 2 ** 20).toFixed(2);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const all = await loadMnist(Math.min(MNIST_N, Math.max(...sizes)));
for (const n of sizes) {
  const rows = Math.min(n, MNIST_N);
  const pixels = new Float32Array(rows * 784);
  for (let t = 0; t < pixels.length; t++) pixels[t] = all.pixels[t] / 255;
  const labels = Int32Array.from({ length: n }, (_, i) => all.labels[i % MNIST_N]);
  const { x, d, prep } = await tsneInput(pixels, n);
  const o = resolveOptions(n, { method, iterations, threads });
  if (cancels) {
    for (const c of cancels) {
      const ac = new AbortController();
      let due = NaN;
      const t0 = performance.now();
      const r = await runTsne(
        x,
        n,
        d,
        { method, iterations, threads },
        {
          signal: ac.signal,
          onProgress: (p) => {
            if (p.phase !== c.phase || !Number.isNaN(due)) return;
            due = performance.now() + 1000 * c.seconds;
            setTimeout(() => ac.abort(), 1000 * c.seconds);
          },
        },
      );
      const waited = Number.isNaN(due) ? NaN : performance.now() - due;
      console.log(
        `tsne-cancel mnist-${input} N=${n} cancel ${c.seconds}s into ${c.phase} (at ${((due - t0) / 1000).toFixed(1)}s): ` +
          `returned ${Math.round(waited)}ms after it was due, cancelled=${r.cancelled} iterations=${r.iterations} load ${load()}`,
      );
    }
    continue;
  }
  // The common yardstick for both embeddings (not timed); none above MNIST's size.
  const pRef = n <= MNIST_N ? await computeAffinities(x, n, d, o) : null;
  const ours: { total: number; kl: number; acc: number }[] = [];
  const theirs: { total: number; kl: number; acc: number }[] = [];
  for (let rep = 0; rep < repeat; rep++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // When each phase was first heard of, in seconds from the start.
    const phaseStart = new Map<string, number>();
    // The longest the event loop went without turning (a cancel waits that long): a 20 ms timer's worst lateness.
    let maxStall = 0;
    let tick = performance.now();
    let lastReport = 'start';
    const stallTimer = setInterval(() => {
      const now = performance.now();
      const stall = now - tick - 20;
      if (verbose && stall > 500) console.error(`  stall ${Math.round(stall)} ms after ${lastReport}`);
      maxStall = Math.max(maxStall, stall);
      tick = now;
    }, 20);
    const r = await runTsne(
      x,
      n,
      d,
      { method, iterations, threads },
      {
        onProgress: (p) => {
          const at = (performance.now() - t0) / 1000;
          lastReport = `${p.phase} ${p.phase === 'optimize' ? `iteration ${p.iteration}` : `${p.done}/${p.total}`}`;
          if (!phaseStart.has(p.phase)) {
            phaseStart.set(p.phase, at);
            if (verbose) console.error(`  ${p.phase} from ${at.toFixed(1)} s, rss ${rssGb()} GB`);
          }
          if (verbose && p.phase === 'optimize' && p.iteration % 50 === 0)
            console.error(`  it ${p.iteration} kl ${p.kl?.toFixed(4)} ${at.toFixed(1)} s, rss ${rssGb()} GB`);
        },
      },
    );
    const total = (performance.now() - t0) / 1000;
    clearInterval(stallTimer);
    // The t-SNE's own peak, before the metrics below (trustworthiness takes 256 sample rows × N distances at a time).
    const peak = peakGb();
    // The affinity phases end where the next begins, the last with the affinities' total; the optimisation is its
    // own timer (its first report comes after its setup).
    const order = ['knn', 'calibration', 'symmetrize'] as const;
    const phases = order
      .map((ph, i) => {
        const from = phaseStart.get(ph);
        const next = phaseStart.get(order[i + 1] ?? '');
        const to = next ?? r.seconds.affinities;
        return from === undefined ? '' : `${ph}=${(to - from).toFixed(1)}s`;
      })
      .filter(Boolean)
      .concat(`optimize=${r.seconds.optimize.toFixed(1)}s`)
      .join(' ');
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const acc = knnAccuracy(r.embedding, n, 2, labels, 10);
    const tw = trustworthiness(x, d, r.embedding, 2, n, 10, 500, 1);
    const kl = pRef ? klOf(pRef, r.embedding, n) : NaN;
    ours.push({ total, kl, acc });
    console.log(
      `tsne mnist-${input} N=${n} method=${method} threads=${threads ?? 'auto'} affinities=${r.seconds.affinities.toFixed(1)}s ` +
        `optimize=${r.seconds.optimize.toFixed(1)}s total=${total.toFixed(1)}s cpu=${cpuSeconds.toFixed(1)}s KL=${pRef ? kl.toFixed(3) : 'n/a'} ` +
        `knn10=${acc.toFixed(4)} trust10=${tw.toFixed(4)} phases: ${phases} maxStall=${Math.round(maxStall)}ms peakRSS=${peak}GiB load ${load()} (${prep} not in total)`,
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
      const fkl = pRef ? klOf(pRef, f.embedding, n) : NaN;
      theirs.push({ total: f.seconds.total, kl: fkl, acc: facc });
      console.log(
        `fitsne mnist-${input} N=${n} threads=2 affinities=${f.seconds.affinities.toFixed(1)}s ` +
          `optimize=${f.seconds.optimize.toFixed(1)}s total=${f.seconds.total.toFixed(1)}s KL=${pRef ? fkl.toFixed(3) : 'n/a'} ` +
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
