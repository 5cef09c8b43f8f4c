/**
 * Training throughput of the seven autoencoders (issue 3's figure): each kind
 * trains one epoch on the first N MNIST images at batch 256 and prints one
 * line: backend (×2 = batches split across two threads), images/s, final
 * loss (the kind's own objective; per-pixel BCE except the VAE, whose loss is
 * per image). images/s counts the epoch itself; the setup before it (model
 * build, helper thread start) is shown apart, and so is the CPU time all
 * threads spent from the first batch on (the work a second thread adds).
 * Usage: npm run bench:train -- [--n 10000] [--kinds conv,deep] [--backend wasm|cpu] [--batch 256]
 *                                [--threads 1|2] [--compare] [--anchor] [--anchor-lstm exact|native]
 *                                [--repeat 1]
 * --compare runs one and two threads alternately, --repeat times each, and
 * prints the medians and their ratio (the machine is shared: interleaving
 * spreads other users' load over both).
 * --anchor runs the PyTorch twins of our models (bench/torch_twins.py, 2
 * threads) in the same run, alternating with ours, on the same images at the
 * same batch size, and prints each kind's medians and the ratio ours/PyTorch
 * (issue 14: absolute figures differ between machines of one kind by 2×;
 * quote the ratio). Without a python3 that imports torch it says so and runs
 * ours only. $AE_BENCH_PYTHON picks the interpreter.
 * --anchor-blas-threads (default "1,env") lists the twins' OPENBLAS_NUM_THREADS
 * settings, one twin process each ("env": the environment's, the core count
 * unless set). Debian's torch runs OpenBLAS's own thread pool beside its
 * OpenMP threads: with both at 2 on 2 cores the dense twins ran 2–3× slower
 * than with OpenBLAS at 1, while the convolutional ones ran faster. So each
 * kind's ratio is against the faster setting's median ("best"), PyTorch as a
 * user who set it up well would run it; each setting's own ratio is shown too.
 */
import os from 'node:os';

import { type BackendName, selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist, mnistDataDir } from '../src-main/engine/datasets/mnist.js';
import { buildModel, trainAutoencoder, TrainedAutoencoder } from '../src-main/engine/training/train.js';
import { MODEL_KINDS, type ModelKind } from '../src-main/protocol.js';
import { findTorchPython, TorchTwins, type TwinSpec, twinSpec } from './anchor.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const n = Number(arg('n', '10000'));
const batchSize = Number(arg('batch', '256'));
const kinds = arg('kinds', MODEL_KINDS.join(',')).split(',') as ModelKind[];
const prefer = process.argv.includes('--backend') ? (arg('backend', 'wasm') as BackendName) : undefined;
const compare = process.argv.includes('--compare');
const anchor = process.argv.includes('--anchor');
const anchorLstm = arg('anchor-lstm', 'exact');
const repeat = Math.max(1, Number(arg('repeat', '1')));
const blasArg = arg('anchor-blas-threads', '1,env');
/** The twins' BLAS settings: a pool size, or undefined for the environment's own. */
const blasSettings = [...new Set(blasArg.split(','))].map((v) => (v === 'env' ? undefined : Number(v)));
const threadChoices: (number | undefined)[] = compare
  ? [1, 2]
  : [process.argv.includes('--threads') ? Number(arg('threads', '2')) : undefined];
for (const kind of kinds)
  if (!MODEL_KINDS.includes(kind)) throw new Error(`--kinds: unknown kind "${kind}"; known: ${MODEL_KINDS.join(', ')}`);
if (!(Number.isInteger(n) && n >= 2 && n <= 70000))
  throw new Error(`--n must be an integer from 2 to 70000, got ${arg('n', '')}`);
if (!(Number.isInteger(batchSize) && batchSize >= 1))
  throw new Error(`--batch must be a positive integer, got ${arg('batch', '')}`);
for (const b of blasSettings)
  if (b !== undefined && !(Number.isInteger(b) && b >= 1 && b <= 256))
    throw new Error(`--anchor-blas-threads must list integers from 1 to 256 or env, got ${blasArg}`);
if (anchorLstm !== 'exact' && anchorLstm !== 'native')
  throw new Error(`--anchor-lstm must be exact or native, got ${anchorLstm}`);

const backend = await selectBackend(prefer);
for (const note of backend.notes) console.log(`# not used: ${note}`);
const load = () => os.loadavg()[0]!.toFixed(1);
console.log(`# ${n} MNIST images, batch ${batchSize}, 1 epoch, load average ${load()} on ${os.cpus().length} cores`);
const ds = await loadMnist(n);

/** One twin process per BLAS setting, each with the label its runs are shown under. */
const twins: { label: string; twins: TorchTwins }[] = [];
if (anchor) {
  const found = findTorchPython();
  if ('missing' in found) console.log(`# --anchor: ${found.missing}; ours only`);
  else
    for (const blasThreads of blasSettings) {
      const started = await TorchTwins.start({
        python: found.python,
        mnistDir: mnistDataDir(),
        n,
        batch: batchSize,
        threads: 2,
        lstm: anchorLstm,
        ...(blasThreads === undefined ? {} : { blasThreads }),
      });
      const pool = started.blasThreads === null ? 'not OpenBLAS' : `OpenBLAS pool ${started.blasThreads}`;
      const label = `torch/${blasThreads ?? 'env'}`;
      twins.push({ label, twins: started.twins });
      console.log(
        `# anchor ${label}: PyTorch ${started.torch} (${found.python}), ${started.threads} threads, ` +
          `BLAS ${started.blas} (${pool}${blasThreads === undefined ? ', as the environment sets it' : ''}), ` +
          `seq2seq LSTM ${anchorLstm}`,
      );
    }
}

/** One run's figures, ours or the twin's. */
interface Run {
  rate: number;
  loss: number;
}

async function once(kind: ModelKind, threads: number | undefined): Promise<Run> {
  let last = { loss: NaN };
  const t0 = performance.now();
  let cpu0 = process.cpuUsage();
  const result = await trainAutoencoder(
    ds,
    { model: kind, epochs: 1, batchSize, validationSplit: 0, seed: 1 },
    {
      onBatch: (p) => {
        // CPU time of every thread of the process (the helper's too), from the first batch on.
        if (p.batch === 1 && p.epoch === 1) cpu0 = process.cpuUsage();
        last = p;
      },
      ...(threads ? { threads } : {}),
    },
  );
  const cpu = process.cpuUsage(cpu0);
  const seconds = result.epochs[0]!.seconds;
  const setup = (performance.now() - t0) / 1000 - seconds;
  result.model.dispose();
  if (result.threadsNote) console.log(`# ${result.threadsNote}`);
  const shown = result.threads > 1 ? `${backend.name}×${result.threads}` : backend.name;
  console.log(
    `${kind.padEnd(9)} backend=${shown.padEnd(7)} images/s=${(n / seconds).toFixed(0).padStart(5)}  ` +
      `final loss=${last.loss.toFixed(4)}  (${seconds.toFixed(1)} s + ${setup.toFixed(1)} s setup, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, load ${load()})`,
  );
  return { rate: n / seconds, loss: last.loss };
}

/**
 * The twin's request for a kind: sizes and learning rate read off our builder
 * as it is now; null (said, and ours run alone) when the twins cannot mirror it.
 */
function specOf(kind: ModelKind): TwinSpec | null {
  const built = buildModel(kind, ds);
  try {
    return twinSpec(built);
  } catch (e) {
    console.log(`# --anchor: ${(e as Error).message} Ours only for ${kind}.`);
    return null;
  } finally {
    new TrainedAutoencoder(kind, built).dispose();
  }
}

async function theirs(kind: ModelKind, spec: TwinSpec, label: string, process: TorchTwins): Promise<Run> {
  const r = await process.run(spec);
  console.log(
    `${kind.padEnd(9)} backend=${label.padEnd(7)} images/s=${r.imagesPerSecond.toFixed(0).padStart(5)}  ` +
      `final loss=${r.finalLoss.toFixed(4)}  (${r.seconds.toFixed(1)} s + ${r.setupSeconds.toFixed(1)} s setup, ` +
      `${r.threads} threads, load ${load()})`,
  );
  return { rate: r.imagesPerSecond, loss: r.finalLoss };
}

// TF.js's LSTM gates are hard sigmoids, which nn.LSTM cannot do: the exact twin is a Python loop of small ops.
const LSTM_NOTE = ' (PyTorch side: our hard-sigmoid LSTM as a Python loop; --anchor-lstm native times nn.LSTM)';
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
type Variant = { label: string; run: () => Promise<Run> };
const ratios: string[] = [];
try {
  for (const kind of kinds) {
    const variants: Variant[] = threadChoices.map((t) => ({ label: `${t ?? ''}`, run: () => once(kind, t) }));
    const spec = twins.length ? specOf(kind) : null;
    if (spec) for (const t of twins) variants.push({ label: t.label, run: () => theirs(kind, spec, t.label, t.twins) });
    const runs = new Map<string, Run[]>();
    for (let r = 0; r < repeat; r++) {
      // Alternate which variant goes first, so neither always meets the same load.
      const order = r % 2 ? [...variants].reverse() : variants;
      for (const v of order) runs.set(v.label, [...(runs.get(v.label) ?? []), await v.run()]);
    }
    const med = (label: string, key: keyof Run) => median(runs.get(label)!.map((x) => x[key]));
    if (compare) {
      const [one, two] = [med('1', 'rate'), med('2', 'rate')];
      console.log(
        `# ${kind}: median of ${repeat}: 1 thread ${one.toFixed(0)}, 2 threads ${two.toFixed(0)} images/s (×${(two / one).toFixed(2)})`,
      );
    }
    if (spec) {
      // Ours as the engine trains by default (its own choice of threads), unless --threads/--compare say otherwise.
      const label = compare ? '2' : threadChoices[0] === undefined ? '' : `${threadChoices[0]}`;
      const ours = med(label, 'rate');
      // PyTorch at its better BLAS setting for this kind: the reference a user who set it up well would see.
      const best = twins.reduce((a, b) => (med(b.label, 'rate') > med(a.label, 'rate') ? b : a));
      const py = med(best.label, 'rate');
      const ratio = `${(ours / py).toFixed(2)}×`;
      ratios.push(`${kind} ${ratio}`);
      const each = twins.map(
        (t) => `${t.label} ${med(t.label, 'rate').toFixed(0)} (${(ours / med(t.label, 'rate')).toFixed(2)}×)`,
      );
      console.log(
        `# ${kind}: median of ${repeat}: ours ${ours.toFixed(0)}, PyTorch ${each.join(', ')} images/s; ` +
          `ours/PyTorch ${ratio} (against ${best.label}); ` +
          `final loss ours ${med(label, 'loss').toFixed(4)}, PyTorch ${med(best.label, 'loss').toFixed(4)}; load ${load()}` +
          (kind === 'seq2seq' && anchorLstm === 'exact' ? LSTM_NOTE : ''),
      );
    }
  }
} finally {
  for (const t of twins) await t.twins.close();
}
if (ratios.length)
  console.log(
    `# ours/PyTorch (its faster BLAS setting of ${blasArg}), ${n} images, batch ${batchSize}, median of ${repeat}: ` +
      `${ratios.join(', ')}; load ${load()}`,
  );
