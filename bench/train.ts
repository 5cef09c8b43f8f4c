/**
 * Training throughput of the seven autoencoders (issue 3's figure): each kind
 * trains one epoch on the first N MNIST images at batch 256 and prints one
 * line: backend (×2 = batches split across two threads), images/s, final
 * loss (the kind's own objective; per-pixel BCE except the VAE, whose loss is
 * per image). images/s counts the epoch itself; the setup before it (model
 * build, helper thread start) is shown apart, and so is the CPU time all
 * threads spent from the first batch on (the work a second thread adds).
 * Usage: npm run bench:train -- [--n 10000] [--kinds conv,deep] [--backend wasm|cpu] [--batch 256]
 *                                [--threads 1|2] [--compare] [--repeat 1]
 * --compare runs one and two threads alternately, --repeat times each, and
 * prints the medians and their ratio (the machine is shared: interleaving
 * spreads other users' load over both).
 */
import os from 'node:os';

import { type BackendName, selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { trainAutoencoder } from '../src-main/engine/training/train.js';
import { MODEL_KINDS, type ModelKind } from '../src-main/protocol.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const n = Number(arg('n', '10000'));
const batchSize = Number(arg('batch', '256'));
const kinds = arg('kinds', MODEL_KINDS.join(',')).split(',') as ModelKind[];
const prefer = process.argv.includes('--backend') ? (arg('backend', 'wasm') as BackendName) : undefined;
const compare = process.argv.includes('--compare');
const repeat = Math.max(1, Number(arg('repeat', '1')));
const threadChoices: (number | undefined)[] = compare
  ? [1, 2]
  : [process.argv.includes('--threads') ? Number(arg('threads', '2')) : undefined];

const backend = await selectBackend(prefer);
for (const note of backend.notes) console.log(`# not used: ${note}`);
const load = () => os.loadavg()[0]!.toFixed(1);
console.log(`# ${n} MNIST images, batch ${batchSize}, 1 epoch, load average ${load()} on ${os.cpus().length} cores`);
const ds = await loadMnist(n);

async function once(kind: ModelKind, threads: number | undefined): Promise<number> {
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
    `${kind.padEnd(9)} backend=${shown.padEnd(6)}  images/s=${(n / seconds).toFixed(0).padStart(5)}  ` +
      `final loss=${last.loss.toFixed(4)}  (${seconds.toFixed(1)} s + ${setup.toFixed(1)} s setup, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, load ${load()})`,
  );
  return n / seconds;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
for (const kind of kinds) {
  const rates = new Map<number | undefined, number[]>();
  for (let r = 0; r < repeat; r++) {
    // Alternate which variant goes first, so neither always meets the same load.
    const order = r % 2 ? [...threadChoices].reverse() : threadChoices;
    for (const t of order) rates.set(t, [...(rates.get(t) ?? []), await once(kind, t)]);
  }
  if (compare) {
    const [one, two] = [median(rates.get(1)!), median(rates.get(2)!)];
    console.log(
      `# ${kind}: median of ${repeat}: 1 thread ${one.toFixed(0)}, 2 threads ${two.toFixed(0)} images/s (×${(two / one).toFixed(2)})`,
    );
  }
}
