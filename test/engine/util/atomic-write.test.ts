import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
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

  it('replaces no folder, device or pipe, and writes through a link to its file', async () => {
    const folder = path.join(dir, 'folder');
    await mkdir(folder);
    await expect(writeFileAtomic(folder, 'x')).rejects.toThrow(/folder: cannot write: it is not a regular file/);
    expect((await stat(folder)).isDirectory()).toBe(true);
    await rm(folder, { recursive: true });
    const link = path.join(dir, 'link.csv');
    await symlink(path.join(dir, 'out.csv'), link);
    await writeFileAtomic(link, 'through the link');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, 'out.csv'), 'utf8')).toBe('through the link');
    await rm(link);
  });

  it('fails with a message naming the file and keeps nothing behind', async () => {
    const file = path.join(dir, 'missing-folder', 'out.csv');
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow(/missing-folder\/out\.csv: cannot write/);
    expect(await readdir(dir)).toEqual(['out.csv']);
  });
});
