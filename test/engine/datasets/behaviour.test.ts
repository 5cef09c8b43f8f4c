import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { loadDataset } from '../../../src-main/engine/datasets/index.js';
import { grayPng, put, tempDir } from './fixtures.js';
import { loadAsNobody, unreachableBy } from './run-as-nobody.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function manyPngs(root: string, n: number): Promise<void> {
  const bytes = await grayPng(28, 28, 128);
  for (let c = 0; c < 2; c++) put(path.join(root, `class${c}`, 'x.png'), bytes);
  for (let i = 0; i < n; i++) writeFileSync(path.join(root, `class${i % 2}`, `${i}.png`), bytes);
}

describe('progress, cancel and limit', () => {
  it('reports progress that rises to (total, total)', async () => {
    await manyPngs(dir, 300);
    const seen: [number, number][] = [];
    const ds = await loadFolder(dir, { cacheDir: null }, { onProgress: (d, t) => seen.push([d, t]) });
    expect(ds.n).toBe(302);
    expect(seen.at(-1)).toEqual([302, 302]);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
  });

  it('stops within one second when cancelled', async () => {
    await manyPngs(dir, 3000);
    const ac = new AbortController();
    let abortedAt = 0;
    const load = loadFolder(
      dir,
      { cacheDir: null },
      {
        signal: ac.signal,
        onProgress: (d) => {
          if (d >= 100 && !abortedAt) {
            abortedAt = performance.now();
            setTimeout(() => ac.abort(), 0);
          }
        },
      },
    );
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(1000);
  });

  it('keeps a limit of items spread over the classes', async () => {
    await manyPngs(dir, 98);
    const ds = await loadDataset({ kind: 'folder', path: dir, limit: 10 }, {}, { cacheDir: null });
    expect(ds.n).toBe(10);
    expect(new Set(ds.labels).size).toBe(2);
  });
});

describe('unreadable files', () => {
  it('skips a file it has no permission to read, naming it, and loads the rest', async (ctx) => {
    const data = path.join(dir, 'data');
    put(path.join(data, 'ok.png'), await grayPng(4, 4, 1));
    put(path.join(data, 'locked.png'), await grayPng(4, 4, 2));
    chmodSync(dir, 0o755);
    chmodSync(path.join(data, 'locked.png'), 0o000);
    let result: { n: number; skipped: { file: string; reason: string }[] };
    if (process.getuid?.() === 0) {
      // Root reads any file whatever its mode, so load as "nobody" in a child process, where the mode applies.
      const why = unreachableBy(data);
      if (why) {
        console.log(`skipped: the data folder is not reachable as nobody: ${why}`);
        return ctx.skip();
      }
      const r = await loadAsNobody(data);
      if ('skip' in r) {
        console.log(`skipped: ${r.skip}`);
        return ctx.skip();
      }
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      result = JSON.parse(r.stdout);
    } else {
      result = await loadFolder(data, { cacheDir: null });
    }
    expect(result.n).toBe(1);
    expect(result.skipped).toEqual([{ file: 'locked.png', reason: 'cannot read: permission denied' }]);
  });
});
