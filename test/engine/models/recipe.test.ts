import { describe, expect, it } from 'vitest';

import { DEEP_DEFAULTS } from '../../../src-main/engine/models/deep.js';
import { defaultEpochs, FALLBACK_EPOCHS, learningRateAt } from '../../../src-main/engine/models/recipe.js';
import { WIDE_DEFAULTS } from '../../../src-main/engine/models/wide.js';
import { autoBatchSize } from '../../../src-main/engine/training/batches.js';

/** Epochs and steps of the default recipe on n images with the default 10 % validation split. */
function plan(n: number): { batch: number; epochs: number; steps: number } {
  const nTrain = n - Math.floor(n * 0.1);
  const batch = autoBatchSize(WIDE_DEFAULTS.batchSize, nTrain);
  const epochs = defaultEpochs(WIDE_DEFAULTS, nTrain, batch);
  return { batch, epochs, steps: epochs * Math.ceil(nTrain / batch) };
}

describe('defaultEpochs', () => {
  it('gives the step budget on 10,000 images and at least the budget on every size', () => {
    for (const n of [500, 1797, 5000, 10000, 30000, 70000]) {
      const p = plan(n);
      expect(p.epochs).toBeGreaterThanOrEqual(WIDE_DEFAULTS.minEpochs!);
      expect(p.steps).toBeGreaterThanOrEqual(WIDE_DEFAULTS.steps!);
    }
    // Within one epoch of the budget where the budget, not the floor, decides.
    const ten = plan(10000);
    expect(ten.steps - WIDE_DEFAULTS.steps!).toBeLessThan(Math.ceil(9000 / ten.batch));
  });

  it('takes more passes over a small dataset than over a large one, never fewer than minEpochs', () => {
    expect(plan(1797).epochs).toBeGreaterThan(plan(10000).epochs);
    expect(plan(10000).epochs).toBeGreaterThanOrEqual(plan(70000).epochs);
    expect(plan(70000).epochs).toBe(WIDE_DEFAULTS.minEpochs);
    expect(defaultEpochs(WIDE_DEFAULTS, 1, 1)).toBe(WIDE_DEFAULTS.epochs);
  });

  it('gives kinds without a step budget the epochs the UI and CLI used to send', () => {
    expect(defaultEpochs(DEEP_DEFAULTS, 9000, 128)).toBe(FALLBACK_EPOCHS);
    expect(() => defaultEpochs(WIDE_DEFAULTS, 0, 128)).toThrow(/nTrain/);
  });
});

describe('learningRateAt', () => {
  it('decays on a cosine from the base rate to 0 at the last step', () => {
    const base = 2e-3;
    const rates = Array.from({ length: 101 }, (_, s) => learningRateAt(WIDE_DEFAULTS, base, s, 101));
    expect(rates[0]).toBeCloseTo(base, 12);
    expect(rates[50]).toBeCloseTo(base / 2, 12);
    expect(rates[100]).toBeCloseTo(0, 12);
    for (let s = 1; s < rates.length; s++) expect(rates[s]).toBeLessThan(rates[s - 1]!);
  });

  it('stays constant for the tutorial kinds', () => {
    expect(learningRateAt(DEEP_DEFAULTS, 1e-3, 77, 100)).toBe(1e-3);
  });
});
