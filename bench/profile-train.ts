/**
 * Where one training epoch's time goes, kernel by kernel: every kernel the
 * backend has registered is wrapped with a timer (kernels run synchronously on
 * wasm and cpu, so wall time around the call is the kernel's time); what is
 * left of the epoch is JS overhead (tape, optimizer bookkeeping, batching).
 * Usage: npx tsx bench/profile-train.ts [--kind conv] [--n 10000] [--batch 256] [--backend wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs';

import { type BackendName, selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { trainAutoencoder } from '../src-main/engine/training/train.js';
import type { ModelKind } from '../src-main/protocol.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const n = Number(arg('n', '10000'));
const batchSize = Number(arg('batch', '256'));
const kind = arg('kind', 'conv') as ModelKind;
const backend = await selectBackend(arg('backend', 'wasm') as BackendName);
// --shapes splits each kernel's row by its inputs' shapes.
const byShape = process.argv.includes('--shapes');

const stats = new Map<string, { ms: number; calls: number }>();
// Nested kernel calls (our kernels call wasm's own) are charged to the outer one.
let depth = 0;
for (const cfg of tf.getKernelsForBackend(backend.name)) {
  const inner = cfg.kernelFunc;
  tf.unregisterKernel(cfg.kernelName, cfg.backendName);
  tf.registerKernel({
    ...cfg,
    kernelFunc: (args) => {
      if (depth > 0) return inner(args);
      depth++;
      const t = performance.now();
      try {
        return inner(args);
      } finally {
        depth--;
        const key = byShape
          ? `${cfg.kernelName} ${Object.values(args.inputs)
              .map((x) => `[${x?.shape.join(',')}]`)
              .join(' ')}`
          : cfg.kernelName;
        const s = stats.get(key) ?? { ms: 0, calls: 0 };
        s.ms += performance.now() - t;
        s.calls++;
        stats.set(key, s);
      }
    },
  });
}

const ds = await loadMnist(n);
// One short warm-up run so first-call costs (wasm compile, XNNPACK setup) stay out.
await trainAutoencoder(ds, { model: kind, epochs: 1, batchSize, validationSplit: 0.9, seed: 1 }, { threads: 1 });
stats.clear();
// One thread: the timers see only this thread's kernels.
const { model, epochs } = await trainAutoencoder(
  ds,
  { model: kind, epochs: 1, batchSize, validationSplit: 0, seed: 1 },
  { threads: 1 },
);
model.dispose();
const total = epochs[0]!.seconds * 1000;
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = rows.reduce((a, [, s]) => a + s.ms, 0);
console.log(
  `# ${kind} on ${backend.name}: ${n} images, batch ${batchSize}: ${total.toFixed(0)} ms, ${((n / total) * 1000).toFixed(0)} images/s`,
);
for (const [name, s] of rows)
  console.log(
    `${name.padEnd(byShape ? 60 : 28)} ${s.ms.toFixed(0).padStart(6)} ms ${((100 * s.ms) / total).toFixed(1).padStart(5)} %  ${String(s.calls).padStart(6)} calls`,
  );
console.log(
  `${'(outside kernels)'.padEnd(byShape ? 60 : 28)} ${(total - inKernels).toFixed(0).padStart(6)} ms ${((100 * (total - inKernels)) / total).toFixed(1).padStart(5)} %`,
);
