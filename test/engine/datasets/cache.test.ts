import { readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { defaultCacheDir } from '../../../src-main/engine/datasets/options.js';
import { encode, grayPng, put, raw, snapshot, tempDir } from './fixtures.js';

let dir: string;
let cacheDir: string;
let cleanup: () => void;
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  cacheDir = path.join(dir, 'cache');
  const data = path.join(dir, 'data');
  put(path.join(data, 'a', '1.png'), await grayPng(4, 4, 10));
  put(path.join(data, 'a', '2.png'), await grayPng(4, 4, 20));
  put(path.join(data, 'b', '3.png'), await grayPng(6, 3, 30));
  put(path.join(data, 'b', 'bad.png'), Buffer.from('corrupt'));
  put(path.join(data, 'b', 'empty.png'), Buffer.alloc(0));
  put(path.join(data, 'b', 'notes.txt'), 'x');
  put(path.join(data, '.thumbnails', 't.png'), await grayPng(4, 4, 1));
  put(path.join(data, 'labels.csv'), 'a/1.png,z\n');
  symlinkSync('..', path.join(data, 'a', 'loop'));
});
afterEach(() => cleanup());

describe('decoded-dataset cache', () => {
  it('reopens from the cache with the same pixels, labels, files and skips', async () => {
    const data = path.join(dir, 'data');
    const first = await loadFolder(data, { cacheDir });
    expect(first.fromCache).toBeUndefined();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const progress: number[][] = [];
    const again = await loadFolder(data, { cacheDir }, { onProgress: (d, t) => progress.push([d, t]) });
    expect(again.fromCache).toBe(true);
    const { fromCache: _a, ...x } = first;
    const { fromCache: _b, ...y } = again;
    expect(y).toEqual(x);
    expect(progress).toEqual([[3, 3]]);
  });

  it('decodes again when a file changes size or modification time, or options differ', async () => {
    const data = path.join(dir, 'data');
    await loadFolder(data, { cacheDir });
    const f = path.join(data, 'a', '2.png');
    writeFileSync(
      f,
      await encode(
        raw(4, 4, 1, () => 99),
        4,
        4,
        1,
        'png',
      ),
    );
    utimesSync(f, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const changed = await loadFolder(data, { cacheDir });
    expect(changed.fromCache).toBeUndefined();
    expect(changed.pixels[16]).toBe(99);
    expect((await loadFolder(data, { cacheDir })).fromCache).toBe(true);
    expect((await loadFolder(data, { cacheDir, size: { width: 2, height: 2 } })).fromCache).toBeUndefined();
  });

  it('decodes again when a file is added or removed, and keeps a changed file out of the cached result', async () => {
    const data = path.join(dir, 'data');
    expect((await loadFolder(data, { cacheDir })).n).toBe(3);
    put(path.join(data, 'a', '4.png'), await grayPng(4, 4, 40));
    const added = await loadFolder(data, { cacheDir });
    expect(added.fromCache).toBeUndefined();
    expect(added.n).toBe(4);
    expect(added.files).toContain('a/4.png');
    expect((await loadFolder(data, { cacheDir })).fromCache).toBe(true);
    rmSync(path.join(data, 'a', '1.png'));
    const removed = await loadFolder(data, { cacheDir });
    expect(removed.fromCache).toBeUndefined();
    expect(removed.n).toBe(3);
    expect(removed.files).not.toContain('a/1.png');
  });

  it('decodes again when a file is rewritten with the same size but a new modification time', async () => {
    const data = path.join(dir, 'data');
    await loadFolder(data, { cacheDir });
    const f = path.join(data, 'a', '1.png');
    const same = await grayPng(4, 4, 77);
    writeFileSync(f, same);
    utimesSync(f, new Date(2003, 3, 3), new Date(2003, 3, 3));
    const changed = await loadFolder(data, { cacheDir });
    expect(changed.fromCache).toBeUndefined();
    expect(changed.pixels[0]).toBe(77);
  });

  it('ignores a damaged cache file and rewrites it', async () => {
    const data = path.join(dir, 'data');
    await loadFolder(data, { cacheDir });
    const [entry] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, entry), 'AEDS2\nrubbish');
    expect((await loadFolder(data, { cacheDir })).fromCache).toBeUndefined();
    expect((await loadFolder(data, { cacheDir })).fromCache).toBe(true);
  });

  it('takes its directory from AE_EXPLORER_CACHE_DIR when no option is given', async () => {
    const before = process.env.AE_EXPLORER_CACHE_DIR;
    process.env.AE_EXPLORER_CACHE_DIR = path.join(dir, 'from-env');
    try {
      expect(defaultCacheDir()).toBe(path.join(dir, 'from-env'));
      await loadFolder(path.join(dir, 'data'));
      expect(readdirSync(path.join(dir, 'from-env'))).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.AE_EXPLORER_CACHE_DIR;
      else process.env.AE_EXPLORER_CACHE_DIR = before;
    }
  });
});

describe('the dataset folder is never written', () => {
  it('keeps the listing, sizes and modification times after a first load and a cached one', async () => {
    const data = path.join(dir, 'data');
    const before = snapshot(data);
    const ds = await loadFolder(data, { cacheDir });
    expect(ds.n).toBe(3);
    await loadFolder(data, { cacheDir });
    expect(snapshot(data)).toEqual(before);
  });

  it('does not cache when the cache directory is inside the dataset folder', async () => {
    const data = path.join(dir, 'data');
    const before = snapshot(data);
    await loadFolder(data, { cacheDir: path.join(data, 'cache') });
    expect(snapshot(data)).toEqual(before);
  });
});

describe('cache size', () => {
  it('prunes the least recently used entries beyond the budget, never the newest', async () => {
    const { pruneCache } = await import('../../../src-main/engine/datasets/cache.js');
    const c = path.join(dir, 'prune');
    put(path.join(c, 'old.aeds'), Buffer.alloc(100));
    put(path.join(c, 'mid.aeds'), Buffer.alloc(100));
    put(path.join(c, 'new.aeds'), Buffer.alloc(100));
    put(path.join(c, 'other.txt'), Buffer.alloc(1000));
    utimesSync(path.join(c, 'old.aeds'), new Date(2000, 1, 1), new Date(2000, 1, 1));
    utimesSync(path.join(c, 'mid.aeds'), new Date(2010, 1, 1), new Date(2010, 1, 1));
    await pruneCache(c, path.join(c, 'new.aeds'), 150);
    expect(readdirSync(c).sort()).toEqual(['new.aeds', 'other.txt']);
  });
});
