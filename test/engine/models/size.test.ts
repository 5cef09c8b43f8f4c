import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { buildAutoencoder } from '../../../src-main/engine/models/index.js';
import { checkModelSize, MAX_MODEL_BYTES, parameterCount } from '../../../src-main/engine/models/size.js';
import { MODEL_KINDS } from '../../../src-main/protocol.js';

beforeAll(async () => {
  await selectBackend();
});

describe('parameterCount', () => {
  for (const kind of MODEL_KINDS)
    for (const o of [
      { height: 12, width: 10, channels: 1 },
      { height: 9, width: 7, channels: 3, codeSize: 5 },
    ])
      it(`matches the built ${kind} model (${o.height}×${o.width}×${o.channels}, codeSize ${o.codeSize ?? 'default'})`, () => {
        const built = buildAutoencoder(kind, o);
        try {
          const models = [built.autoencoder, built.encoder, built.decoder, ...(built.others ?? [])];
          const distinct = new Map<string, number>();
          for (const m of models)
            for (const w of m.trainableWeights)
              distinct.set(
                w.name,
                w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
              );
          const total = [...distinct.values()].reduce((a, b) => a + b, 0);
          expect(parameterCount(kind, o)).toBe(total);
        } finally {
          built.autoencoder.dispose();
        }
      });
});

describe('checkModelSize', () => {
  it('refuses a model over the bound, naming the kind, the code size and the limit', () => {
    const o = { height: 28, width: 28, channels: 1, codeSize: 10_000_000 };
    expect(() => checkModelSize('simple', o)).toThrow(
      /the simple model with codeSize 10000000 on 28×28×1 images has 15,690,000,784 parameters .* the limit is 256 MiB \(67,108,864 parameters\): choose a smaller codeSize/,
    );
  });

  it('accepts the largest code size that fits and refuses the next', () => {
    const o = { height: 28, width: 28, channels: 1 };
    // simple: 2·784·c + c + 784 parameters.
    const fits = Math.floor((MAX_MODEL_BYTES / 4 - 784) / (2 * 784 + 1));
    expect(() => checkModelSize('simple', { ...o, codeSize: fits })).not.toThrow();
    expect(() => checkModelSize('simple', { ...o, codeSize: fits + 1 })).toThrow(/limit is 256 MiB/);
  });
});
