import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { compareNames, MAX_WALK_DEPTH, MAX_WALK_ENTRIES, walk } from '../../../src-main/engine/datasets/walk.js';
import { put, tempDir } from './fixtures.js';

// Entries named "vanishing…" disappear between readdir and stat, and links named "locked-link"
// cannot be resolved: the races and permission errors a real walk of a changing folder meets.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fail = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
  return {
    ...fs,
    statSync: ((p: string, ...rest: unknown[]) => {
      if (path.basename(String(p)).startsWith('vanishing')) throw fail('ENOENT');
      return (fs.statSync as (...a: unknown[]) => unknown)(p, ...rest);
    }) as typeof fs.statSync,
    realpathSync: ((p: string, ...rest: unknown[]) => {
      if (path.basename(String(p)) === 'locked-link') throw fail('EACCES');
      return (fs.realpathSync as (...a: unknown[]) => unknown)(p, ...rest);
    }) as typeof fs.realpathSync,
  };
});

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const skipOf = (l: { skipped: { file: string; reason: string }[] }, file: string) =>
  l.skipped.find((s) => s.file === file)?.reason;

describe('compareNames', () => {
  it('orders numbers inside names by value', () => {
    const names = ['img10.png', 'img2.png', 'img1.png', 'b', 'a', 'img02.png', '10', '9', 'img2.jpg'];
    expect(names.sort(compareNames)).toEqual([
      '9',
      '10',
      'a',
      'b',
      'img1.png',
      'img2.jpg',
      'img02.png',
      'img2.png',
      'img10.png',
    ]);
  });
});

describe('walk bounds', () => {
  it('stops past the entry bound with a message naming the folder and the bound', async () => {
    for (let i = 0; i < 12; i++) put(path.join(dir, 'many', `${i}.png`), 'x');
    await expect(walk(dir, undefined, { maxEntries: 10 })).rejects.toThrow(
      `${dir}: more than 10 files and folders, the most a dataset folder may hold (stopped in many/)`,
    );
    expect((await walk(dir, undefined, { maxEntries: 13 })).files).toHaveLength(12);
    expect(MAX_WALK_ENTRIES).toBe(1_000_000);
  });

  it('skips folders past the depth bound, naming the folder and the bound', async () => {
    put(path.join(dir, 'a', 'b', 'c', 'deep.png'), 'x');
    put(path.join(dir, 'a', 'b', 'ok.png'), 'x');
    const l = await walk(dir, undefined, { maxDepth: 2 });
    expect(l.files.map((f) => f.rel)).toEqual(['a/b/ok.png']);
    expect(skipOf(l, 'a/b/c/')).toBe('nested deeper than 2 folders (the most a walk enters)');
    expect(MAX_WALK_DEPTH).toBe(32);
  });

  it('ends a chain of links into itself at the depth bound or as a loop', async () => {
    put(path.join(dir, 'a', 'x.png'), 'x');
    symlinkSync('../b', path.join(dir, 'a', 'to-b'));
    mkdirSync(path.join(dir, 'b'));
    symlinkSync('../a', path.join(dir, 'b', 'to-a'));
    symlinkSync('.', path.join(dir, 'b', 'here'));
    const l = await walk(dir);
    expect(l.files.map((f) => f.rel)).toEqual(['a/x.png']);
    expect(skipOf(l, 'a/to-b/')).toBe('links to a folder already read as b/');
    expect(skipOf(l, 'b/to-a/')).toBe('links to a folder already read as a/');
    expect(skipOf(l, 'b/here/')).toBe('symlink loop: links to b/, a folder above it');
  });
});

describe('links', () => {
  it('reads each real file once, under the first path; the folder’s own entries come before links', async () => {
    const { dir: outside, cleanup: done } = tempDir();
    try {
      put(path.join(outside, 'o1.png'), 'o');
      put(path.join(outside, 'o2.png'), 'o');
      put(path.join(dir, 'cats', '1.png'), 'c');
      // "a-alias" sorts before "cats" but is a link, so cats/1.png is read under cats.
      symlinkSync('cats', path.join(dir, 'a-alias'));
      symlinkSync('cats/1.png', path.join(dir, 'same.png'));
      mkdirSync(path.join(dir, 'dogs'));
      symlinkSync(outside, path.join(dir, 'dogs', 'more'));
      symlinkSync(path.join(outside, 'o1.png'), path.join(dir, 'dogs', 'again.png'));
      const l = await walk(dir);
      expect(l.files.map((f) => f.rel)).toEqual(['cats/1.png', 'dogs/again.png', 'dogs/more/o2.png']);
      expect(skipOf(l, 'a-alias/')).toBe('links to a folder already read as cats/');
      expect(skipOf(l, 'same.png')).toBe('same file as cats/1.png, read once');
      expect(skipOf(l, 'dogs/more/o1.png')).toBe('same file as dogs/again.png, read once');
      expect(l.fromOutside).toBe(2);
    } finally {
      done();
    }
  });

  it('skips broken, unresolvable and vanished entries with a reason instead of failing', async () => {
    put(path.join(dir, 'ok.png'), 'x');
    put(path.join(dir, 'vanishing.png'), 'x');
    symlinkSync('nowhere', path.join(dir, 'broken'));
    symlinkSync('ok.png', path.join(dir, 'locked-link'));
    put(path.join(dir, 'file.txt'), 'x');
    symlinkSync('file.txt/inside', path.join(dir, 'not-a-dir'));
    const l = await walk(dir);
    expect(l.files.map((f) => f.rel)).toEqual(['file.txt', 'ok.png']);
    expect(skipOf(l, 'vanishing.png')).toBe('no such file');
    expect(skipOf(l, 'broken')).toBe('broken link: no such file');
    expect(skipOf(l, 'locked-link')).toBe('broken link: permission denied');
    expect(skipOf(l, 'not-a-dir')).toMatch(/^broken link: ENOTDIR/);
  });
});

describe.runIf(process.platform === 'linux')('pseudo-filesystems', () => {
  it('refuses /proc/self at once and never enters /proc, /sys or /dev through a link', async () => {
    const t0 = performance.now();
    await expect(walk('/proc/self')).rejects.toThrow(/^\/proc\/self: not a dataset: \/proc is a pseudo-filesystem/);
    put(path.join(dir, 'ok.png'), 'x');
    for (const p of ['/proc/self', '/sys', '/dev']) symlinkSync(p, path.join(dir, path.basename(p)));
    const l = await walk(dir);
    expect(l.files.map((f) => f.rel)).toEqual(['ok.png']);
    expect(skipOf(l, 'self/')).toBe('/proc is a pseudo-filesystem of the system, not read');
    expect(skipOf(l, 'sys/')).toBe('/sys is a pseudo-filesystem of the system, not read');
    expect(skipOf(l, 'dev/')).toBe('/dev is a pseudo-filesystem of the system, not read');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('knows a pseudo-filesystem by its type where it is mounted elsewhere', async (ctx) => {
    // A proc mounted inside the dataset folder: no /proc prefix, only its statfs type gives it away.
    const mp = path.join(dir, 'data', 'mounted');
    mkdirSync(mp, { recursive: true });
    put(path.join(dir, 'data', 'ok.png'), 'x');
    const m = spawnSync('mount', ['-t', 'proc', 'proc', mp], { encoding: 'utf8' });
    if (m.status !== 0) {
      console.log(`skipped: cannot mount a proc to test with (${(m.stderr || m.error?.message || '').trim()})`);
      return ctx.skip();
    }
    try {
      const l = await walk(path.join(dir, 'data'));
      expect(l.files.map((f) => f.rel)).toEqual(['ok.png']);
      expect(skipOf(l, 'mounted/')).toBe('a proc mount is a pseudo-filesystem of the system, not read');
      await expect(walk(mp)).rejects.toThrow(/not a dataset: a proc mount is a pseudo-filesystem/);
    } finally {
      spawnSync('umount', [mp]);
    }
  });
});
