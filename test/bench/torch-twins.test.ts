import { beforeAll, describe, expect, it } from 'vitest';

import { countTwinParams, findTorchPython, TorchTwins, type TwinSpec, twinSpec } from '../../bench/anchor.js';
import { selectBackend } from '../../src-main/engine/backends/select.js';
import { mnistDataDir } from '../../src-main/engine/datasets/mnist.js';
import { buildDense } from '../../src-main/engine/models/common.js';
import { type Autoencoder, buildAutoencoder } from '../../src-main/engine/models/index.js';
import { trainableVariables } from '../../src-main/engine/training/variables.js';
import { MODEL_KINDS } from '../../src-main/protocol.js';

/** The twins mirror every kind: the seven tutorial kinds (issue 14's reference) and wide (issue 13). */
const TWINNED = MODEL_KINDS;

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

/** Each kind built as main's builders build it, at the default code size and at 2, with its twin's spec. */
let cases: { label: string; spec: TwinSpec; ours: number }[] = [];
beforeAll(async () => {
  await selectBackend();
  cases = [undefined, 2].flatMap((codeSize) =>
    TWINNED.map((kind) => {
      const m = buildAutoencoder(kind, { ...MNIST, ...(codeSize ? { codeSize } : {}) });
      try {
        return { label: `${kind} code ${codeSize ?? 'default'}`, spec: twinSpec(m), ours: ourParams(m) };
      } finally {
        dispose(m);
      }
    }),
  );
});

describe('the twins read their sizes off our builders', () => {
  it('mirror every kind as main builds it (a builder change the twins cannot follow fails here, torch or not)', () => {
    expect(cases.map((c) => c.spec.kind)).toEqual([...TWINNED, ...TWINNED]);
    expect(cases.find((c) => c.label === 'vae code 2')!.spec).toMatchObject({ code: 2 });
    expect(cases.find((c) => c.label === 'wide code default')!.spec).toEqual({
      kind: 'wide',
      lr: 2e-3,
      hidden: [512, 256],
      code: 50,
      codeActivation: 'linear',
      schedule: 'cosine',
      stress: 10,
      skip: true,
    });
  });

  it('takes a changed layer list as it is, with no flag', () => {
    const m = buildDense('deep', MNIST, [200, 50], 7, { epochs: 1, batchSize: 32, learningRate: 3e-3 });
    expect(twinSpec(m)).toEqual({ kind: 'deep', lr: 3e-3, hidden: [200, 50], code: 7 });
    dispose(m);
  });

  it('refuses, naming the kind and the layers found, a shape the twin does not mirror', () => {
    const conv = buildAutoencoder('conv', MNIST);
    expect(() => twinSpec({ ...conv, kind: 'deep' })).toThrow(/^deep: bench\/torch_twins.py mirrors .*Conv2D\(16/);
    dispose(conv);
  });
});

describe('finding a python3 with torch', () => {
  it('says which interpreter it tried and why it failed', () => {
    const found = findTorchPython({ AE_BENCH_PYTHON: '/nonexistent/python3' });
    expect(found).toEqual({
      missing: expect.stringMatching(/^no python3 with torch \(\/nonexistent\/python3: .*ENOENT/),
    });
  });
});

const found = findTorchPython();
const missing = 'missing' in found ? found.missing : null;
if (missing) console.log(`skipping the PyTorch twin checks: ${missing}`);
const python = 'python' in found ? found.python : '';

describe.skipIf(missing !== null)('the PyTorch twins (bench/torch_twins.py)', () => {
  it('have as many parameters as our models, at the default code size and at 2', () => {
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
    const { twins, blas, blasThreads } = await TorchTwins.start({
      python,
      mnistDir: mnistDataDir(),
      n: 64,
      batch: 40,
      threads: 1,
      lstm: 'exact',
      blasThreads: 1,
    });
    try {
      // The pool size asked for is the one OpenBLAS runs with (Debian's default is the core count).
      expect(blasThreads).toBe(/openblas/i.test(blas) ? 1 : null);
      const spec = (label: string) => cases.find((c) => c.label === label)!.spec;
      const [simple, vae] = [await twins.run(spec('simple code default')), await twins.run(spec('vae code default'))];
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
