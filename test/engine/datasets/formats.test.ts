import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { pairKey } from '../../../src-main/engine/datasets/arrays.js';
import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { parseNpy } from '../../../src-main/engine/datasets/npy.js';
import { idx, npy, put, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const load = (p: string) => loadFolder(p, { cacheDir: null });
const skipOf = (ds: { skipped: { file: string; reason: string }[] }, file: string) =>
  ds.skipped.find((s) => s.file === file)?.reason;
const row = (label: number | string, px: (number | string)[]) => [label, ...px].join(',');

describe('CSV', () => {
  it('reads a Kaggle-style CSV with a header and a label column', async () => {
    const lines = [
      'label,' + Array.from({ length: 4 }, (_, i) => `pixel${i}`).join(','),
      row(3, [0, 1, 2, 255]),
      row(7, [9, 9, 9, 9]),
    ];
    put(path.join(dir, 'train.csv'), lines.join('\r\n') + '\r\n');
    const ds = await load(dir);
    expect([ds.format, ds.n, ds.width, ds.height, ds.channels]).toEqual(['csv', 2, 2, 2, 1]);
    expect(ds.classNames).toEqual(['3', '7']);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
    expect(Array.from(ds.pixels)).toEqual([0, 1, 2, 255, 9, 9, 9, 9]);
    expect(ds.files).toEqual(['train.csv:2', 'train.csv:3']);
  });

  it('reads CSVs without a header, with and without a label column, scaling values in [0, 1]', async () => {
    put(path.join(dir, 'a_train.csv'), [row(1, [0, 0.5, 1, 0.25]), row(2, [1, 1, 1, 1])].join('\n'));
    put(path.join(dir, 'b_test.csv'), [[0, 0.5, 1, 0.25].join(',')].join('\n'));
    const ds = await load(dir);
    expect(ds.n).toBe(3);
    expect(Array.from(ds.pixels.subarray(0, 4))).toEqual([0, 128, 255, 64]);
    expect(Array.from(ds.labels)).toEqual([0, 1, -1]);
  });

  it('skips a ragged row and a non-numeric cell, naming the line, and keeps the rest', async () => {
    put(
      path.join(dir, 'd.csv'),
      [
        'label,p0,p1,p2,p3',
        row(1, [1, 2, 3, 4]),
        row(1, [1, 2, 3]),
        row(2, [1, 2, 3, 4, 5]),
        row(0, [1, 'x', 3, 4]),
        row(2, [5, 6, 7, 8]),
      ].join('\n'),
    );
    const ds = await load(dir);
    expect(ds.n).toBe(2);
    expect(skipOf(ds, 'd.csv:3')).toBe('row has 4 values, expected 5');
    expect(skipOf(ds, 'd.csv:4')).toBe('row has 6 values, expected 5');
    expect(skipOf(ds, 'd.csv:5')).toMatch(/column 3 is not a number: "x"/);
  });

  it('skips a CSV whose columns make no square image', async () => {
    put(path.join(dir, 'odd.csv'), '1,2,3\n4,5,6\n');
    await expect(load(dir)).rejects.toThrow(/no usable rows/);
  });
});

describe('.npy', () => {
  it('reads uint8 N×H×W images with int64 labels paired by name', async () => {
    put(path.join(dir, 'x_train.npy'), npy('|u1', [2, 2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
    put(path.join(dir, 'y_train.npy'), npy('<i8', [2], BigInt64Array.from([5n, 2n])));
    put(path.join(dir, 'x_test.npy'), npy('|u1', [1, 2, 3], new Uint8Array(6).fill(200)));
    put(path.join(dir, 'y_test.npy'), npy('<i8', [1], BigInt64Array.from([9n])));
    const ds = await load(dir);
    expect([ds.format, ds.n, ds.height, ds.width, ds.channels]).toEqual(['npy', 3, 2, 3, 1]);
    expect(ds.classNames).toEqual(['2', '5', '9']);
    expect(Array.from(ds.labels)).toEqual([1, 0, 2]);
    expect(Array.from(ds.pixels.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ds.pixels[12]).toBe(200);
  });

  it('reads float32 N×H×W×C in [0, 1] as RGB, dropping alpha, without labels', async () => {
    const f = new Float32Array(1 * 1 * 2 * 4);
    f.set([1, 0, 0.5, 1, 0, 1, 0, 0.3]);
    put(path.join(dir, 'images.npy'), npy('<f4', [1, 1, 2, 4], f));
    const ds = await load(dir);
    expect([ds.n, ds.channels]).toEqual([1, 3]);
    expect(Array.from(ds.pixels)).toEqual([255, 0, 128, 0, 255, 0]);
    expect(Array.from(ds.labels)).toEqual([-1]);
  });

  it('rejects Fortran order and truncated files with clear messages', () => {
    const bad = npy('<f4', [2, 2], new Float32Array(4));
    expect(() => parseNpy(bad.subarray(0, bad.length - 3), 'a.npy')).toThrow(/a\.npy: truncated body/);
    const fortran = Buffer.from(
      bad.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "),
      'latin1',
    );
    expect(() => parseNpy(fortran, 'b.npy')).toThrow(/Fortran-ordered/);
    expect(() => parseNpy(Buffer.from('hello world'), 'c.npy')).toThrow(/not a \.npy file/);
  });
});

describe('IDX folders', () => {
  const imgs = (n: number) =>
    idx(
      [n, 2, 2],
      Uint8Array.from({ length: n * 4 }, (_, i) => i),
    );
  const labs = (v: number[]) => idx([v.length], Uint8Array.from(v));

  it('finds IDX files by name, plain or .gz, pairs labels and puts train first', async () => {
    put(path.join(dir, 't10k-images-idx3-ubyte'), imgs(1));
    put(path.join(dir, 't10k-labels-idx1-ubyte'), labs([4]));
    put(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(imgs(2)));
    put(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(labs([1, 3])));
    put(path.join(dir, 'README.txt'), 'MNIST');
    const ds = await load(dir);
    expect([ds.format, ds.n, ds.height, ds.width]).toEqual(['idx', 3, 2, 2]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2]);
    expect(ds.classNames).toEqual(['1', '3', '4']);
    expect(skipOf(ds, 'README.txt')).toMatch(/not used/);
    expect(pairKey('train-images.idx3-ubyte')).toBe(pairKey('train-labels.idx1-ubyte'));
  });

  it('skips an IDX file with a wrong magic number or a truncated body and loads the rest', async () => {
    const wrong = imgs(2);
    wrong[0] = 0x50;
    put(path.join(dir, 'train-images-idx3-ubyte'), imgs(2));
    put(path.join(dir, 'train-labels-idx1-ubyte'), labs([1, 2]));
    put(path.join(dir, 'extra-images-idx3-ubyte'), wrong);
    put(path.join(dir, 'cut-images-idx3-ubyte'), imgs(5).subarray(0, 20));
    const ds = await load(dir);
    expect(ds.n).toBe(2);
    expect(skipOf(ds, 'extra-images-idx3-ubyte')).toMatch(/wrong magic number 0x50/);
    expect(skipOf(ds, 'cut-images-idx3-ubyte')).toMatch(/truncated body/);
  });

  it('fails clearly when every IDX file is bad', async () => {
    put(path.join(dir, 'train-images-idx3-ubyte'), Buffer.from('garbage!'));
    await expect(load(dir)).rejects.toThrow(/no usable image arrays.*wrong magic number/);
  });
});
