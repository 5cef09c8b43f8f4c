/**
 * Training throughput of the seven autoencoders (issue 3's figure): each kind
 * trains one epoch on the first N MNIST images at batch 256 and prints one
 * line: backend, images/s, final loss (the kind's own objective; per-pixel
 * BCE except the VAE, whose loss is per image).
 * Usage: npm run bench:train -- [--n 10000] [--kinds conv,deep] [--backend wasm|cpu] [--batch 256]
 * AE_TRAIN_THREADS=1 measures the single-thread path (default: two threads on wasm and cpu).
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

const backend = await selectBackend(prefer);
for (const note of backend.notes) console.log(`# not used: ${note}`);
console.log(
  `# ${n} MNIST images, batch ${batchSize}, 1 epoch, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
);
const ds = await loadMnist(n);
for (const kind of kinds) {
  let last = { loss: NaN, imagesPerSecond: NaN };
  const { model, epochs, threads, threadsNote } = await trainAutoencoder(
    ds,
    { model: kind, epochs: 1, batchSize, validationSplit: 0, seed: 1 },
    { onBatch: (p) => (last = p) },
  );
  const seconds = epochs[0]!.seconds;
  model.dispose();
  if (threadsNote) console.log(`# ${threadsNote}`);
  const shown = threads > 1 ? `${backend.name}×${threads}` : backend.name;
  console.log(
    `${kind.padEnd(9)} backend=${shown.padEnd(6)}  images/s=${(n / seconds).toFixed(0).padStart(5)}  ` +
      `final loss=${last.loss.toFixed(4)}  (${seconds.toFixed(1)} s)`,
  );
}
