import { describe, expect, it } from 'vitest';

import { DEEP_DEFAULTS } from '../../../src-main/engine/models/deep.js';
import { defaultEpochs, FALLBACK_EPOCHS, learningRateAt } from '../../../src-main/engine/models/recipe.js';
import { WIDE_DEFAULTS } from '../../../src-main/engine/models/wide.js';

describe('defaultEpochs', () => {
  it('gives wide one pass whatever the dataset size (its code starts from PCA), the tutorial kinds 10', () => {
    expect(defaultEpochs(WIDE_DEFAULTS)).toBe(1);
    expect(defaultEpochs(DEEP_DEFAULTS)).toBe(FALLBACK_EPOCHS);
    expect(FALLBACK_EPOCHS).toBe(10);
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
