import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeFileAtomic } from '../../../src-main/engine/util/atomic-write.js';

describe('writeFileAtomic', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ae-atomic-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('replaces the file whole and leaves no temporary file', async () => {
    const file = path.join(dir, 'out.csv');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new contents');
    expect(await readFile(file, 'utf8')).toBe('new contents');
    expect(await readdir(dir)).toEqual(['out.csv']);
  });

  it('writes a list of chunks as one file, in order', async () => {
    const file = path.join(dir, 'chunks.bin');
    await writeFileAtomic(file, [Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3)]);
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    await rm(file);
  });

  it('fails with a message naming the file and keeps nothing behind', async () => {
    const file = path.join(dir, 'missing-folder', 'out.csv');
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow(/missing-folder\/out\.csv: cannot write/);
    expect(await readdir(dir)).toEqual(['out.csv']);
  });
});
