import { describe, expect, it } from 'vitest';

import { etaText } from '../../src-renderer/eta.js';

describe('etaText', () => {
  it('rounds the whole seconds up before splitting off the minutes', () => {
    expect(etaText(119.4)).toBe('2 min 0 s left');
    expect(etaText(59.5)).toBe('1 min 0 s left');
    expect(etaText(59)).toBe('59 s left');
    expect(etaText(0.2)).toBe('1 s left');
    expect(etaText(3725)).toBe('62 min 5 s left');
  });

  it('says nothing without an estimate', () => {
    for (const s of [undefined, Number.NaN, Number.POSITIVE_INFINITY, -1]) expect(etaText(s)).toBe('');
  });
});
