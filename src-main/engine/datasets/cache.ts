import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Dataset } from './types.js';
import type { FileEntry } from './walk.js';

const MAGIC = 'AEDS2\n';

/** Bumped whenever decoding changes, so older cache entries are not used. */
const DECODER_VERSION = 2;

/** Cache file of one folder read with one set of options (a new read replaces it). */
export function cacheFile(cacheDir: string, root: string, optionsKey: string): string {
  const h = createHash('sha256').update(`${root}\0${optionsKey}`).digest('hex').slice(0, 32);
  return path.join(cacheDir, `${h}.aeds`);
}

/** Fingerprint of the folder's contents: every file's relative path, size and modification time. */
export function fingerprint(files: FileEntry[], skippedByWalk: number): string {
  // The names as one string and the numbers as raw float64s: two update() calls instead of 70,000,
  // and no number-to-text conversion (which cost more than the hashing).
  const rels = new Array<string>(files.length);
  const nums = new Float64Array(2 * files.length);
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    rels[i] = f.rel;
    nums[2 * i] = f.size;
    nums[2 * i + 1] = f.mtimeMs;
  }
  return createHash('sha256')
    .update(`v${DECODER_VERSION}\0${skippedByWalk}\0${files.length}\0`)
    .update(rels.join('\0'))
    .update(new Uint8Array(nums.buffer))
    .digest('hex');
}

/** True when `dir` is `root` or inside it: the cache must never go into the dataset folder. */
export function isInside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Starts reading a cache entry's bytes (null when there is none). Reading
 * needs only the entry's name, so the loader starts it before walking the
 * folder and the disk read overlaps the tens of thousands of stat calls.
 */
export async function readCacheBytes(file: string): Promise<Buffer | null> {
  // One read into a buffer of the file's size: readFile's chunked reads copy 55 MB a second time.
  let fh: FileHandle | null = null;
  try {
    fh = await open(file, 'r');
    const { size } = await fh.stat();
    const bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? bytes : null;
  } catch {
    return null;
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** The dataset in cache bytes if they are well formed and their fingerprint matches; null otherwise. */
export async function parseCache(file: string, bytes: Buffer | null, print: string): Promise<Dataset | null> {
  if (!bytes) return null;
  try {
    if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const jsonLen = bytes.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const meta = JSON.parse(bytes.toString('utf8', start, start + jsonLen)) as Omit<Dataset, 'pixels' | 'labels'> & {
      fingerprint: string;
    };
    if (meta.fingerprint !== print) return null;
    const size = meta.n * meta.height * meta.width * meta.channels;
    const p0 = start + jsonLen;
    if (bytes.length !== p0 + size + 4 * meta.n) return null;
    const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset + p0, size);
    const labels = new Int32Array(meta.n);
    new Uint8Array(labels.buffer).set(bytes.subarray(p0 + size, p0 + size + 4 * meta.n));
    const { fingerprint: _, ...rest } = meta;
    // Mark as recently used, for pruning.
    const now = new Date();
    await utimes(file, now, now).catch(() => {});
    return { ...rest, pixels, labels, fromCache: true };
  } catch {
    return null;
  }
}

/** Reads a cached dataset if the entry exists and its fingerprint matches; null otherwise. */
export async function readCache(file: string, print: string): Promise<Dataset | null> {
  return parseCache(file, await readCacheBytes(file), print);
}

/** Writes the dataset atomically (temp file + rename); a failure is returned, not thrown. */
export async function writeCache(file: string, print: string, ds: Dataset): Promise<string | null> {
  const { pixels, labels, fromCache: _, ...meta } = ds;
  const json = Buffer.from(JSON.stringify({ ...meta, fingerprint: print }), 'utf8');
  const head = Buffer.alloc(MAGIC.length + 4);
  head.write(MAGIC, 'latin1');
  head.writeUInt32LE(json.length, MAGIC.length);
  const lab = new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, [head, json, pixels, lab]);
    await rename(tmp, file);
    return null;
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    return `cache not written: ${(e as Error).message}`;
  }
}

/** Total size the cache keeps; least recently used entries go first. */
export const CACHE_BUDGET_BYTES = 4 * 2 ** 30;

/** Deletes the least recently used entries until the cache fits the budget; never `keep`. */
export async function pruneCache(dir: string, keep: string, budget = CACHE_BUDGET_BYTES): Promise<void> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.aeds'));
    const entries = await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(dir, n));
        return { file: path.join(dir, n), size: s.size, used: s.mtimeMs };
      }),
    );
    let total = entries.reduce((a, e) => a + e.size, 0);
    for (const e of entries.sort((a, b) => a.used - b.used)) {
      if (total <= budget) break;
      if (e.file === keep) continue;
      await rm(e.file, { force: true });
      total -= e.size;
    }
  } catch {
    // Pruning is housekeeping: a failure must not fail a load.
  }
}
