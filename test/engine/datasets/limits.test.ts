import { readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ByteBudget, decodeBudget } from '../../../src-main/engine/datasets/budget.js';
import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { parseIdx } from '../../../src-main/engine/datasets/idx.js';
import {
  DECODE_BUDGET_BYTES,
  DECODE_BYTES_PER_PIXEL,
  gunzipCap,
  MAX_ARRAY_BYTES,
} from '../../../src-main/engine/datasets/limits.js';
import { parseNpy, readNpy } from '../../../src-main/engine/datasets/npy.js';
import { grayPng, idx, npy, put, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const skipOf = (ds: { skipped: { file: string; reason: string }[] }, file: string) =>
  ds.skipped.find((s) => s.file === file)?.reason;

/**
 * A gzip IDX file of n 28×28 zero images (288 MB inflate from some 280 KB): gzip members
 * concatenate, so one compressed MiB of zeros is repeated instead of compressing 288 MB.
 */
function idxBomb(n: number): Buffer {
  const mib = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  const bytes = n * 784;
  const whole = Math.floor(bytes / (1 << 20));
  const rest = gzipSync(Buffer.alloc(bytes - whole * (1 << 20)), { level: 9 });
  return Buffer.concat([gzipSync(idx([n, 28, 28], new Uint8Array(0))), ...Array<Buffer>(whole).fill(mib), rest]);
}

describe('array sizes', () => {
  it('refuses a small .idx.gz that inflates to 288 MB, naming the file and the cap, and writes no cache', async () => {
    const bomb = idxBomb(367_000);
    expect(bomb.length).toBeLessThan(400_000);
    expect(gunzipSync(bomb).length).toBe(16 + 367_000 * 784);
    const data = path.join(dir, 'data');
    const cache = path.join(dir, 'cache');
    put(path.join(data, 'train-images-idx3-ubyte.gz'), bomb);
    const t0 = performance.now();
    await expect(loadFolder(data, { cacheDir: cache })).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: inflates to more than 64 MiB, the cap for a \d+ KB gzip file \(64 times its size, at least 64 MiB, at most 1 GiB\); refused/,
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(() => readdirSync(cache)).toThrow(/ENOENT/);
    expect(() => parseIdx(bomb, 'x.idx.gz')).toThrow(/^x\.idx\.gz: inflates to more than/);
    expect(gunzipCap(10e6)).toBe(640e6);
    expect(gunzipCap(100e6)).toBe(MAX_ARRAY_BYTES);
  });

  it('refuses an IDX or .npy header that declares more than an array may hold, before allocating', () => {
    expect(() => parseIdx(idx([100_000, 100_000, 100], new Uint8Array(8)), 'big.idx')).toThrow(
      'big.idx: header declares 100000×100000×100 uint8 values (931.32 GiB), more than the 1 GiB an array may hold',
    );
    expect(() => parseNpy(npy('<f4', [1 << 20, 1 << 10], new Uint8Array(8)), 'big.npy')).toThrow(
      'big.npy: shape (1048576, 1024) of <f4 needs 4 GiB, more than the 1 GiB an array may hold',
    );
    expect(() => parseNpy(npy('|u1', [10, 10], new Uint8Array(8)), 'short.npy')).toThrow(
      'short.npy: truncated body: shape (10, 10) needs 100 bytes, file has 8',
    );
    const head = npy('|u1', [1], new Uint8Array(1));
    head.writeUInt16LE(0xffff, 8);
    head[6] = 2;
    head.writeUInt32LE(1e9, 8);
    expect(() => parseNpy(head, 'h.npy')).toThrow(
      'h.npy: header of 1000000000 bytes, more than the 65536 a .npy header may have',
    );
  });

  it('reads a .npy file header first and refuses a lying one without reading the body', async () => {
    put(path.join(dir, 'x.npy'), npy('|u1', [1e9, 1e9], new Uint8Array(16)));
    await expect(readNpy(path.join(dir, 'x.npy'), 'x.npy')).rejects.toThrow(
      /^x\.npy: shape \(1000000000, 1000000000\)/,
    );
    put(path.join(dir, 'ok.npy'), npy('|u1', [2, 2], new Uint8Array([1, 2, 3, 4])));
    expect(Array.from((await readNpy(path.join(dir, 'ok.npy'))).data as Uint8Array)).toEqual([1, 2, 3, 4]);
  });
});

describe('CSV sizes', () => {
  it('refuses 10⁶ columns × 5 rows quickly with a message naming the file and the bound', async () => {
    const row = `${'0,'.repeat(999_999)}0\n`;
    put(path.join(dir, 'wide.csv'), row.repeat(5));
    const t0 = performance.now();
    await expect(loadFolder(dir, { cacheDir: null })).rejects.toThrow(
      `${dir}: no usable rows in wide.csv (wide.csv: 1,000,000 columns, more than the 262,144 a CSV may have (a 295×295 RGB image and a label))`,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('skips a row longer than the bound and keeps the others', async () => {
    put(path.join(dir, 'a.csv'), `label,p1,p2,p3,p4\n1,0,0,0,0\n2,${'9'.repeat(5 << 20)},0,0,0\n`);
    const ds = await loadFolder(dir, { cacheDir: null });
    expect(ds.n).toBe(1);
    expect(skipOf(ds, 'a.csv:3')).toBe('row of 5,242,888 characters, more than the 4,194,304 a CSV row may have');
  });
});

describe('image sizes', () => {
  const solid = (w: number, h: number) =>
    sharp({ create: { width: w, height: h, channels: 3, background: '#808080' } });

  it('refuses a 10000×10000 PNG from its header, without decoding it', async () => {
    // The header is all the loader may look at: the pixel data behind it is never reached.
    const png = await grayPng(28, 28, 1);
    const huge = Buffer.from(png);
    huge.writeUInt32BE(10_000, 16);
    huge.writeUInt32BE(10_000, 20);
    put(path.join(dir, 'huge.png'), huge);
    put(path.join(dir, 'ok.png'), png);
    const ds = await loadFolder(dir, { cacheDir: null });
    expect(ds.n).toBe(1);
    expect(skipOf(ds, 'huge.png')).toBe(
      '10000×10000 is larger than 50 megapixels, the most an image may have; not decoded',
    );
  });

  it('decodes large JPEG and PNG images shrunk to the target, reserving each decode in the budget', async () => {
    put(path.join(dir, 'a.jpg'), await solid(1600, 1600).jpeg().toBuffer());
    // Past pngjs's 4 megapixels: streamed through sharp.
    const png = await solid(2100, 2000).png({ compressionLevel: 1 }).toBuffer();
    for (const n of ['b', 'c', 'd']) put(path.join(dir, `${n}.png`), png);
    decodeBudget.peak = 0;
    const ds = await loadFolder(dir, { cacheDir: null, size: { width: 28, height: 28 } });
    expect(ds.skipped).toEqual([]);
    expect([ds.n, ds.width, ds.height, ds.channels]).toEqual([4, 28, 28, 1]);
    // Padding: 2100×2000 → 28×27 in the middle; the gray body is the image.
    expect(Math.abs(ds.pixels[28 * 14 + 14] - 128)).toBeLessThan(3);
    expect(ds.notes).toContain('4 images of another size resized to 28×28 (padded to keep aspect)');
    expect(decodeBudget.peak).toBeLessThanOrEqual(DECODE_BUDGET_BYTES);
    expect(decodeBudget.peak).toBeGreaterThanOrEqual(2100 * 2000 * DECODE_BYTES_PER_PIXEL);
  });

  it('runs decodes at once only while their estimates fit the budget, first come first served', async () => {
    const budget = new ByteBudget(250);
    const order: string[] = [];
    const job = async (name: string, bytes: number) => {
      await budget.acquire(bytes);
      order.push(`+${name}`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`-${name}`);
      budget.release(bytes);
    };
    await Promise.all([job('a', 100), job('b', 100), job('c', 100), job('huge', 1000), job('d', 10)]);
    expect(budget.peakJobs).toBe(2);
    expect(budget.peak).toBe(250);
    // c waits for a, the oversized job runs alone (as the whole budget), and d, though small, waits its turn.
    expect(order).toEqual(['+a', '+b', '-a', '+c', '-b', '-c', '+huge', '-huge', '+d', '-d']);
  });

  it('refuses a folder whose images at the target size would not fit in memory, before decoding', async () => {
    const png = await grayPng(2, 2, 1);
    for (let i = 0; i < 50; i++) put(path.join(dir, `${i}.png`), png);
    await expect(loadFolder(dir, { cacheDir: null, size: { width: 4096, height: 4096 } })).rejects.toThrow(
      `${dir}: 50 images at 4096×4096 would take 2.34 GiB in colour, more than the 2 GiB a dataset may hold; choose a smaller image size`,
    );
  });
});
