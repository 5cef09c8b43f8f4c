import { symlinkSync } from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { mnistDataDir } from '../../../src-main/engine/datasets/mnist.js';
import { grayPng, idx, npy, put, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const load = (p: string) => loadFolder(p, { cacheDir: null });
const skipOf = (ds: { skipped: { file: string; reason: string }[] }, file: string) =>
  ds.skipped.find((s) => s.file === file)?.reason;

describe('folders with links', () => {
  it('loads its own 5 PNGs, not the MNIST arrays behind a link beside them, and says so', async () => {
    for (let i = 0; i < 5; i++) put(path.join(dir, 'digits', `${i}.png`), await grayPng(28, 28, 40 * i));
    symlinkSync(mnistDataDir(), path.join(dir, 'extra'));
    const ds = await load(dir);
    expect([ds.format, ds.n, ds.width]).toEqual(['image-folder', 5, 28]);
    expect(ds.classNames).toEqual(['digits']);
    expect(ds.notes).toContain(
      'left out 4 array files (IDX, .npy or CSV) because the folder holds images: extra/t10k-images-idx3-ubyte, extra/t10k-labels-idx1-ubyte, extra/train-images-idx3-ubyte and 1 more; open them as a folder of their own',
    );
    expect(ds.notes).toContain('4 files came through links from outside the folder');
    expect(skipOf(ds, 'extra/train-images-idx3-ubyte')).toBe('not used: folder read as images');
  });

  it('reads a class folder reached through a link from a sibling under its own class', async () => {
    put(path.join(dir, 'bird', 'b.png'), await grayPng(4, 4, 1));
    put(path.join(dir, 'cat', 'c.png'), await grayPng(4, 4, 2));
    // a-link sorts first and points at the sibling class; bird/dup.png is the same file as cat/c.png.
    symlinkSync('cat', path.join(dir, 'a-link'));
    symlinkSync('../cat/c.png', path.join(dir, 'bird', 'dup.png'));
    const ds = await load(dir);
    expect(ds.files).toEqual(['bird/b.png', 'cat/c.png']);
    expect(ds.classNames).toEqual(['bird', 'cat']);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
    expect(skipOf(ds, 'a-link/')).toBe('links to a folder already read as cat/');
    expect(skipOf(ds, 'bird/dup.png')).toBe('same file as cat/c.png, read once');
    expect(ds.notes?.some((n) => /through links/.test(n))).toBe(false);
  });

  it('follows a link to a class folder outside, in walk order, and counts its files', async () => {
    const { dir: outside, cleanup: done } = tempDir();
    try {
      for (const n of ['1.png', '2.png']) put(path.join(outside, n), await grayPng(4, 4, 9));
      put(path.join(dir, 'a', 'x.png'), await grayPng(4, 4, 1));
      put(path.join(dir, 'c', 'y.png'), await grayPng(4, 4, 1));
      symlinkSync(outside, path.join(dir, 'b'));
      const ds = await load(dir);
      expect(ds.files).toEqual(['a/x.png', 'b/1.png', 'b/2.png', 'c/y.png']);
      expect(ds.classNames).toEqual(['a', 'b', 'c']);
      expect(ds.notes).toContain('2 files came through links from outside the folder');
    } finally {
      done();
    }
  });
});

describe('folders that mix images and arrays', () => {
  it('reads the arrays only when there are no images', async () => {
    put(path.join(dir, 'x_train.npy'), npy('|u1', [2, 2, 2], new Uint8Array(8)));
    put(path.join(dir, 'train-images-idx3-ubyte'), idx([1, 2, 2], new Uint8Array(4)));
    expect((await load(dir)).format).toBe('idx');
    put(path.join(dir, 'one', 'p.png'), await grayPng(2, 2, 1));
    const ds = await load(dir);
    expect([ds.format, ds.n]).toEqual(['image-folder', 1]);
    expect(ds.notes).toContain(
      'left out 2 array files (IDX, .npy or CSV) because the folder holds images: train-images-idx3-ubyte, x_train.npy; open them as a folder of their own',
    );
  });
});
