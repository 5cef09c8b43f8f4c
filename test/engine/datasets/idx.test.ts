import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { parseIdx } from '../../../src-main/engine/datasets/idx.js';
import { loadMnist } from '../../../src-main/engine/datasets/mnist.js';

function idx(type: number, dims: number[], body: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const v = new DataView(header.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...header, ...body]);
}

describe('parseIdx', () => {
  it('reads a uint8 IDX header and body', () => {
    const a = parseIdx(idx(0x08, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(a.shape).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('reads gzip-compressed IDX', () => {
    const a = parseIdx(gzipSync(idx(0x08, [3], [7, 8, 9])));
    expect(Array.from(a.data)).toEqual([7, 8, 9]);
  });

  it('reads big-endian int32 values', () => {
    const a = parseIdx(idx(0x0c, [1], [0, 0, 1, 2]));
    expect(Array.from(a.data)).toEqual([258]);
  });

  it('rejects a wrong magic number with a clear message naming the file', () => {
    const bad = idx(0x08, [1], [0]);
    bad[0] = 0x50;
    expect(() => parseIdx(bad, 'train-images')).toThrow(/train-images: wrong magic number 0x50/);
  });

  it('rejects an unknown data type', () => {
    expect(() => parseIdx(idx(0x05, [1], [0]), 'f')).toThrow(/unknown IDX data type/);
  });

  it('rejects a truncated body, saying how much was expected', () => {
    expect(() => parseIdx(idx(0x08, [10, 10], [1, 2, 3]), 'f.idx')).toThrow(/f\.idx: truncated body.*10×10/);
  });
});

describe('loadMnist', () => {
  it('reads the bundled MNIST IDX files with their labels', async () => {
    const ds = await loadMnist(100);
    expect(ds.n).toBe(100);
    expect(ds.pixels.length).toBe(100 * 784);
    // The first MNIST training labels are well known.
    expect(Array.from(ds.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Math.max(...ds.pixels)).toBe(255);
  });

  it('continues into the test set past 60,000 images', async () => {
    const ds = await loadMnist(60005);
    expect(ds.n).toBe(60005);
    // First test-set labels: 7, 2, 1, 0, 4.
    expect(Array.from(ds.labels.subarray(60000))).toEqual([7, 2, 1, 0, 4]);
  });
});
