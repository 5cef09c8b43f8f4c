import { describe, expect, it } from 'vitest';

import { countTwinParams, findTorchPython, TorchTwins, twinSpec } from '../../bench/anchor.js';
import { selectBackend } from '../../src-main/engine/backends/select.js';
import { mnistDataDir } from '../../src-main/engine/datasets/mnist.js';
import { buildDense } from '../../src-main/engine/models/common.js';
import { type Autoencoder, buildAutoencoder } from '../../src-main/engine/models/index.js';
import { trainableVariables } from '../../src-main/engine/training/variables.js';
import { MODEL_KINDS } from '../../src-main/protocol.js';

const MNIST = { height: 28, width: 28, channels: 1 };

function dispose(m: Autoencoder): void {
  for (const model of [...(m.others ?? []), m.autoencoder, m.encoder, m.decoder])
    try {
      model.dispose();
    } catch {
      // shared layers already released
    }
}

/** Our parameter count: every trainable weight, each once (the VAE's log-variance head too). */
function ourParams(m: Autoencoder): number {
  return trainableVariables(m).reduce((s, v) => s + v.size, 0);
}

describe('the twins read their sizes off our builders', () => {
  it('takes a changed layer list as it is, with no flag', async () => {
    await selectBackend();
    const m = buildDense('deep', MNIST, [200, 50], 7, { epochs: 1, batchSize: 32, learningRate: 3e-3 });
    expect(twinSpec(m)).toEqual({ kind: 'deep', lr: 3e-3, hidden: [200, 50], code: 7 });
    dispose(m);
  });

  it('refuses, naming the kind and the layers found, a shape the twin does not mirror', async () => {
    await selectBackend();
    const conv = buildAutoencoder('conv', MNIST);
    expect(() => twinSpec({ ...conv, kind: 'deep' })).toThrow(/^deep: bench\/torch_twins.py mirrors .*Conv2D\(16/);
    dispose(conv);
  });
});

const found = findTorchPython();
const missing = 'missing' in found ? found.missing : null;
if (missing) console.log(`skipping the PyTorch twin checks: ${missing}`);
const python = 'python' in found ? found.python : '';

describe.skipIf(missing !== null)('the PyTorch twins (bench/torch_twins.py)', () => {
  it('have as many parameters as our models, at the default code size and at 2', async () => {
    await selectBackend();
    const cases = [undefined, 2].flatMap((codeSize) =>
      MODEL_KINDS.map((kind) => {
        const m = buildAutoencoder(kind, { ...MNIST, ...(codeSize ? { codeSize } : {}) });
        const c = { label: `${kind} code ${codeSize ?? 'default'}`, spec: twinSpec(m), ours: ourParams(m) };
        dispose(m);
        return c;
      }),
    );
    const theirs = countTwinParams(
      python,
      cases.map((c) => c.spec),
      [28, 28, 1],
    );
    expect(Object.fromEntries(cases.map((c, i) => [c.label, theirs[i]]))).toEqual(
      Object.fromEntries(cases.map((c) => [c.label, c.ours])),
    );
  });

  it('train an epoch on request and report the same loss scale as ours (per pixel, the VAE per image)', async () => {
    await selectBackend();
    const { twins } = await TorchTwins.start({
      python,
      mnistDir: mnistDataDir(),
      n: 64,
      batch: 40,
      threads: 1,
      lstm: 'exact',
    });
    try {
      const specs = (['simple', 'vae'] as const).map((kind) => {
        const m = buildAutoencoder(kind, MNIST);
        const spec = twinSpec(m);
        dispose(m);
        return spec;
      });
      const [simple, vae] = [await twins.run(specs[0]!), await twins.run(specs[1]!)];
      // A fresh model's mean per-pixel BCE on MNIST is about 0.7; per image (784 pixels) hundreds.
      expect(simple.finalLoss).toBeGreaterThan(0.1);
      expect(simple.finalLoss).toBeLessThan(1);
      expect(vae.finalLoss).toBeGreaterThan(100);
      expect(simple.imagesPerSecond).toBeGreaterThan(0);
      await expect(twins.run({ kind: 'deep', lr: 1e-3, widths: [1] })).rejects.toThrow(
        /deep: unknown field\(s\) widths/,
      );
    } finally {
      await twins.close();
    }
  });
});
