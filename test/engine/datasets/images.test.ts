import { symlinkSync } from 'node:fs';
import path from 'node:path';

import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { classFolders } from '../../../src-main/engine/datasets/images.js';
import { summarize } from '../../../src-main/engine/datasets/types.js';
import { bmp, encode, grayPng, put, raw, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const load = (p: string, o = {}) => loadFolder(p, { cacheDir: null, ...o });
const skipOf = (ds: { skipped: { file: string; reason: string }[] }, file: string) =>
  ds.skipped.find((s) => s.file === file)?.reason;

describe('image folders', () => {
  it('reads PNG, JPEG, WebP, GIF, TIFF and BMP from class subfolders, labelled by folder name', async () => {
    const g = raw(8, 8, 1, (x) => x * 30);
    put(path.join(dir, 'cats', 'a.png'), await encode(g, 8, 8, 1, 'png'));
    put(path.join(dir, 'cats', 'b.jpg'), await encode(g, 8, 8, 1, 'jpeg'));
    put(path.join(dir, 'cats', 'c.webp'), await encode(g, 8, 8, 1, 'webp'));
    put(path.join(dir, 'dogs', 'd.gif'), await encode(g, 8, 8, 1, 'gif'));
    put(path.join(dir, 'dogs', 'e.tiff'), await encode(g, 8, 8, 1, 'tiff'));
    put(path.join(dir, 'dogs', 'f.bmp'), bmp(8, 8, 200));
    const ds = await load(dir);
    expect(ds.skipped).toEqual([]);
    expect([ds.n, ds.width, ds.height, ds.channels, ds.format]).toEqual([6, 8, 8, 1, 'image-folder']);
    expect(ds.classNames).toEqual(['cats', 'dogs']);
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(ds.files).toEqual(['cats/a.png', 'cats/b.jpg', 'cats/c.webp', 'dogs/d.gif', 'dogs/e.tiff', 'dogs/f.bmp']);
    // Lossless formats are exact; JPEG close; BMP a solid 200.
    for (const i of [0, 2, 4])
      expect(Array.from(ds.pixels.subarray(i * 64, i * 64 + 8))).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
    for (let x = 0; x < 8; x++) expect(Math.abs(ds.pixels[64 + x] - x * 30)).toBeLessThan(12);
    expect(Array.from(new Set(ds.pixels.subarray(5 * 64, 6 * 64)))).toEqual([200]);
    expect(summarize(ds)).toBe('6 images loaded (image-folder, 8×8, grayscale); 2 classes: cats 3, dogs 3');
  });

  it('reads palette, interlaced and 16-bit PNGs', async () => {
    const g = raw(8, 8, 3, (x) => x * 30);
    const s = (b: Buffer) => sharp(b, { raw: { width: 8, height: 8, channels: 3 } });
    put(path.join(dir, 'palette.png'), await s(g).png({ palette: true, colours: 16, dither: 0 }).toBuffer());
    put(path.join(dir, 'interlaced.png'), await s(g).png({ progressive: true }).toBuffer());
    put(path.join(dir, 'deep.png'), await s(g).toColourspace('rgb16').png().toBuffer());
    const ds = await load(dir);
    expect(ds.skipped).toEqual([]);
    expect(ds.channels).toBe(1);
    for (let i = 0; i < 3; i++)
      for (let x = 0; x < 8; x++) expect(Math.abs(ds.pixels[i * 64 + x] - x * 30)).toBeLessThanOrEqual(8);
  });

  it('reads a single CSV or .npy file given instead of a folder', async () => {
    put(path.join(dir, 'mnist_test.csv'), 'label,a,b,c,d\n1,0,0,0,0\n');
    const ds = await load(path.join(dir, 'mnist_test.csv'));
    expect([ds.format, ds.n, ds.name]).toEqual(['csv', 1, 'mnist_test.csv']);
  });

  it('takes classes from inside train/ and test/ split folders', async () => {
    for (const rel of ['train/cat/1.png', 'train/dog/2.png', 'test/cat/3.png', 'test/dog/4.png'])
      put(path.join(dir, rel), await grayPng(4, 4, 1));
    const ds = await load(dir);
    expect(ds.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 0, 1]);
    expect(ds.files).toEqual(['test/cat/3.png', 'test/dog/4.png', 'train/cat/1.png', 'train/dog/2.png']);
    expect(classFolders(['train/a.png', 'test/b/c.png'])).toEqual(['train', 'test']);
  });

  it('reads a flat folder as unlabelled', async () => {
    for (const n of ['1.png', '2.png', '10.png']) put(path.join(dir, n), await grayPng(4, 4, 9));
    const ds = await load(dir);
    expect(ds.files).toEqual(['1.png', '2.png', '10.png']);
    expect(Array.from(ds.labels)).toEqual([-1, -1, -1]);
    expect(ds.classNames).toEqual([]);
  });

  it('takes labels from labels.csv next to the images, overriding folder names', async () => {
    put(path.join(dir, 'a.png'), await grayPng(4, 4, 1));
    put(path.join(dir, 'b.png'), await grayPng(4, 4, 2));
    put(path.join(dir, 'sub', 'c.png'), await grayPng(4, 4, 3));
    put(
      path.join(dir, 'labels.csv'),
      'filename,label\na.png,cat\n"b.png",dog\nsub/c.png,cat\nmissing.png,dog\nbroken-row\n',
    );
    const ds = await load(dir);
    expect(ds.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 0]);
    expect(skipOf(ds, 'labels.csv')).toMatch(/1 rows name no image/);
    expect(skipOf(ds, 'labels.csv:6')).toMatch(/file name and a label/);
  });

  it('loads a folder with a single class', async () => {
    for (const n of ['x.png', 'y.png']) put(path.join(dir, 'only', n), await grayPng(4, 4, 5));
    const ds = await load(dir);
    expect(ds.classNames).toEqual(['only']);
    expect(Array.from(ds.labels)).toEqual([0, 0]);
    expect(ds.notes).toContain('one class only ("only")');
  });

  it('reads a path with spaces and non-ASCII characters', async () => {
    const root = path.join(dir, 'my data ü', 'Ünïcode set');
    put(path.join(root, 'クラス 1', 'ä b.png'), await grayPng(4, 4, 7));
    put(path.join(root, 'klasse 2', 'ø.png'), await grayPng(4, 4, 8));
    const ds = await load(root);
    expect(ds.name).toBe('Ünïcode set');
    expect(ds.classNames).toEqual(['klasse 2', 'クラス 1']);
    expect(ds.files).toEqual(['klasse 2/ø.png', 'クラス 1/ä b.png']);
    expect(ds.n).toBe(2);
  });

  it('resizes other sizes to the most common one, padding to keep the aspect', async () => {
    for (const n of ['a', 'b', 'c']) put(path.join(dir, `${n}.png`), await grayPng(6, 6, 100));
    put(path.join(dir, 'wide.png'), await grayPng(12, 6, 255));
    const ds = await load(dir);
    expect([ds.n, ds.width, ds.height]).toEqual([4, 6, 6]);
    const wide = ds.pixels.subarray(3 * 36, 4 * 36);
    // 12×6 → 6×3 centred: the top and bottom rows are padding.
    expect(Array.from(wide.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(wide.subarray(2 * 6, 3 * 6))).toEqual([255, 255, 255, 255, 255, 255]);
    expect(ds.notes?.some((n) => /^1 image of another size resized to 6×6/.test(n))).toBe(true);
    const chosen = await load(dir, { size: { width: 3, height: 3 } });
    expect([chosen.width, chosen.height]).toEqual([3, 3]);
  });

  it('stores RGB when one image has colour, and gray when grayscale is forced', async () => {
    put(path.join(dir, 'g.png'), await grayPng(4, 4, 50));
    put(
      path.join(dir, 'rgb-but-gray.png'),
      await encode(
        raw(4, 4, 3, () => 70),
        4,
        4,
        3,
        'png',
      ),
    );
    put(
      path.join(dir, 'red.png'),
      await encode(
        raw(4, 4, 4, (_x, _y, c) => [255, 0, 0, 255][c]),
        4,
        4,
        4,
        'png',
      ),
    );
    const ds = await load(dir);
    expect(ds.channels).toBe(3);
    expect(Array.from(ds.pixels.subarray(0, 3))).toEqual([50, 50, 50]);
    expect(Array.from(ds.pixels.subarray(16 * 3, 16 * 3 + 3))).toEqual([255, 0, 0]);
    put(path.join(dir, 'a-broken.png'), Buffer.from('x'));
    const gapped = await load(dir);
    expect(gapped.pixels.length).toBe(3 * 16 * 3);
    expect(Array.from(gapped.pixels.subarray(16 * 3 - 3, 16 * 3 + 3))).toEqual([50, 50, 50, 255, 0, 0]);
    expect(Array.from(gapped.pixels.subarray(2 * 16 * 3, 2 * 16 * 3 + 3))).toEqual([70, 70, 70]);
    const gray = await load(dir, { grayscale: true });
    expect(gray.channels).toBe(1);
    expect(Array.from(gray.pixels.subarray(0, 1))).toEqual([50]);
    expect(gray.pixels[16]).toBe(77); // Rec. 601 luma of pure red
    expect(gray.pixels[32]).toBe(70);
  });
});

describe('bad input in image folders', () => {
  it('skips a corrupt image, a truncated one and a zero-byte file, naming each, and loads the rest', async () => {
    const good = await grayPng(4, 4, 10);
    put(path.join(dir, 'good.png'), good);
    put(path.join(dir, 'noise.png'), Buffer.from('this is not a png at all'));
    put(path.join(dir, 'cut.png'), good.subarray(0, 40));
    put(path.join(dir, 'bad.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    put(path.join(dir, 'empty.png'), Buffer.alloc(0));
    const huge = Buffer.from(good);
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    put(path.join(dir, 'huge.png'), huge);
    const ds = await load(dir);
    expect(ds.n).toBe(1);
    expect(skipOf(ds, 'noise.png')).toMatch(/not a readable image/);
    expect(skipOf(ds, 'cut.png')).toMatch(/not a readable image/);
    expect(skipOf(ds, 'bad.jpg')).toMatch(/not a readable image/);
    expect(skipOf(ds, 'empty.png')).toBe('empty file (0 bytes)');
    expect(ds.pixels.length).toBe(16);
    expect(Array.from(new Set(ds.pixels))).toEqual([10]);
    expect(skipOf(ds, 'huge.png')).toMatch(
      /^100000×100000 is larger than 50 megapixels, the most an image may have; not decoded$/,
    );
    expect(summarize(ds)).toMatch(/^1 images loaded .*, 5 skipped; 1 unlabeled$/);
  });

  it('skips non-image files and hidden files and folders without reading them', async () => {
    put(path.join(dir, 'a', 'x.png'), await grayPng(4, 4, 1));
    put(path.join(dir, 'a', 'notes.txt'), 'hello');
    put(path.join(dir, 'a', '.DS_Store'), Buffer.from([0, 0, 0, 1]));
    put(path.join(dir, '.thumbnails', 'x.png'), await grayPng(4, 4, 1));
    put(path.join(dir, 'a', '.hidden', 'y.png'), await grayPng(4, 4, 1));
    const ds = await load(dir);
    expect(ds.n).toBe(1);
    expect(ds.classNames).toEqual(['a']);
    expect(skipOf(ds, 'a/notes.txt')).toBe('not an image file (.txt)');
    expect(skipOf(ds, 'a/.DS_Store')).toBe('hidden, not read');
    expect(skipOf(ds, '.thumbnails/')).toBe('hidden, not read');
    expect(skipOf(ds, 'a/.hidden/')).toBe('hidden, not read');
  });

  it('survives a symlink loop and a self-referencing link', async () => {
    put(path.join(dir, 'a', 'x.png'), await grayPng(4, 4, 1));
    symlinkSync('..', path.join(dir, 'a', 'up'));
    symlinkSync('self.png', path.join(dir, 'a', 'self.png'));
    const ds = await load(dir);
    expect(ds.n).toBe(1);
    expect(skipOf(ds, 'a/up/')).toMatch(/symlink loop/);
    expect(skipOf(ds, 'a/self.png')).toMatch(/broken link: symlink loop/);
  });

  it('fails clearly on an empty folder and on a folder with nothing usable', async () => {
    await expect(load(dir)).rejects.toThrow(/no images, IDX, CSV or \.npy files found/);
    put(path.join(dir, 'readme.txt'), 'x');
    put(path.join(dir, 'broken.png'), Buffer.from('nope'));
    await expect(load(dir)).rejects.toThrow(/none of the 1 images could be read/);
    await expect(load(path.join(dir, 'missing'))).rejects.toThrow(/cannot open: no such file/);
  });
});
