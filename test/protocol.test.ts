import { describe, expect, it } from 'vitest';

import { MAX_IMAGE_SIDE, validateCommand } from '../src-main/protocol.js';

const load = (source: unknown) => validateCommand({ type: 'loadDataset', jobId: 'j', source });

describe('validateCommand: train params', () => {
  it('accepts the kind-specific noise level and L1 weight from 0 to 1, and names a bad one', () => {
    const train = (params: Record<string, unknown>) => validateCommand({ type: 'train', jobId: 'j', params });
    expect(train({ model: 'denoising', noiseLevel: 0.3 })).toBeNull();
    expect(train({ model: 'sparse', l1: 1e-3 })).toBeNull();
    expect(train({ model: 'denoising', noiseLevel: 1.5 })).toBe('params.noiseLevel must be a number from 0 to 1');
    expect(train({ model: 'sparse', l1: -1e-4 })).toBe('params.l1 must be a number from 0 to 1');
    expect(train({ model: 'sparse', l1: '1e-4' })).toBe('params.l1 must be a number from 0 to 1');
  });
});

describe('validateCommand: loadDataset sources', () => {
  it('accepts a folder with an image size and forced grayscale, or with neither', () => {
    expect(load({ kind: 'folder', path: '/data/cats' })).toBeNull();
    expect(load({ kind: 'folder', path: '/data/cats', size: { width: 32, height: 24 }, grayscale: true })).toBeNull();
    expect(load({ kind: 'folder', path: '/d', grayscale: false, limit: 10 })).toBeNull();
    expect(load({ kind: 'folder', path: '/d', size: { width: MAX_IMAGE_SIDE, height: 1 } })).toBeNull();
  });

  it('rejects a size that is not two whole pixel counts in range, naming the field', () => {
    for (const size of [
      { width: 0, height: 28 },
      { width: 28 },
      { width: 28.5, height: 28 },
      { width: '28', height: 28 },
      { width: MAX_IMAGE_SIDE + 1, height: 28 },
      [28, 28],
      null,
      '28x28',
    ])
      expect(load({ kind: 'folder', path: '/d', size }), JSON.stringify(size)).toMatch(/^source\.size must be/);
  });

  it('rejects a grayscale flag that is not a boolean', () => {
    expect(load({ kind: 'folder', path: '/d', grayscale: 'yes' })).toBe('source.grayscale must be true or false');
    expect(load({ kind: 'folder', path: '/d', grayscale: 1 })).toBe('source.grayscale must be true or false');
  });

  it('still checks the path, the limit and the kind', () => {
    expect(load({ kind: 'folder', path: '', size: { width: 8, height: 8 } })).toMatch(/source\.path/);
    expect(load({ kind: 'folder', path: '/d', limit: 0 })).toMatch(/source\.limit/);
    expect(load({ kind: 'zip', path: '/d' })).toMatch(/source\.kind/);
  });
});
