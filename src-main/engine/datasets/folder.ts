import path from 'node:path';

import { assembleArrays, type NamedArray } from './arrays.js';
import { cacheFile, fingerprint, isInside, parseCache, pruneCache, readCacheBytes, writeCache } from './cache.js';
import { loadCsvFiles } from './csv.js';
import { extOf, IMAGE_EXTENSIONS } from './decode.js';
import { readIdx } from './idx.js';
import { loadImageFolder } from './images.js';
import { MAX_ITEMS } from './limits.js';
import { readNpy, toNumbers, toUint8 } from './npy.js';
import { type LoadOptions, resolveOptions } from './options.js';
import type { Dataset, LoadHooks, SkippedItem } from './types.js';
import { compareNames, type FileEntry, walk } from './walk.js';

const IDX_NAME = /(idx\d?[-_.]ubyte|-ubyte|\.idx\d?)(\.gz)?$/i;

/**
 * Loads a dataset folder (or a single CSV/.npy/IDX file): images (class
 * subfolders or flat, with an optional labels.csv) when there are any, the
 * array files beside them left out with a note; else IDX files found by
 * name, else .npy arrays, else pixel CSVs. Links are followed (see walk). Files that cannot be used are listed
 * in `skipped` with the reason; the load goes on. Decoded datasets are cached
 * outside the folder, keyed by its path and every file's size and mtime.
 * Never writes into the folder.
 */
export async function loadFolder(
  folder: string,
  options: Partial<LoadOptions> = {},
  hooks: LoadHooks = {},
): Promise<Dataset> {
  const opts = resolveOptions(options);
  // The cache entry is named by the folder and the options only, so its read starts now and overlaps the walk.
  const resolved = path.resolve(folder);
  const cacheDir = opts.cacheDir ? path.resolve(opts.cacheDir) : null;
  let cachePath = cacheDir
    ? cacheFile(cacheDir, resolved, JSON.stringify({ size: opts.size, gray: opts.grayscale }))
    : null;
  let cachedBytes = cachePath ? readCacheBytes(cachePath) : null;
  const listing = await walk(folder, hooks.signal);
  const root = listing.root;
  const name = path.basename(resolved) || root;

  let print = '';
  if (cacheDir && isInside(cacheDir, root)) cachePath = null;
  if (cachePath && cachedBytes) {
    print = fingerprint(listing.files, listing.skipped.length);
    const cached = await parseCache(cachePath, await cachedBytes, print);
    if (cached) {
      hooks.onProgress?.(cached.n, cached.n);
      return cached;
    }
  }
  // A stale entry's bytes must not stay in memory while the folder is decoded again.
  // eslint-disable-next-line no-useless-assignment -- the assignment is what lets the collector free them
  cachedBytes = null;
  hooks.signal?.throwIfAborted();

  const ds = await decodeFolder(root, name, listing.files, [...listing.skipped], opts, hooks);
  ds.skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (listing.fromOutside) {
    const k = listing.fromOutside;
    (ds.notes ??= []).push(
      `${k.toLocaleString('en-US')} ${k === 1 ? 'file' : 'files'} came through links from outside the folder`,
    );
  }
  if (cachePath) {
    const problem = await writeCache(cachePath, print, ds);
    if (problem) (ds.notes ??= []).push(problem);
    else await pruneCache(path.dirname(cachePath), cachePath);
  }
  return ds;
}

async function decodeFolder(
  root: string,
  name: string,
  files: FileEntry[],
  skipped: SkippedItem[],
  opts: LoadOptions,
  hooks: LoadHooks,
): Promise<Dataset> {
  const idx: FileEntry[] = [];
  const npy: FileEntry[] = [];
  const csv: FileEntry[] = [];
  const images: FileEntry[] = [];
  const other: FileEntry[] = [];
  let labelsCsv: FileEntry | null = null;
  for (const f of files) {
    const ext = extOf(f.rel);
    if (IDX_NAME.test(f.rel)) idx.push(f);
    else if (ext === 'npy') npy.push(f);
    else if (f.rel.toLowerCase() === 'labels.csv') labelsCsv = f;
    else if (ext === 'csv') csv.push(f);
    else if (IMAGE_EXTENSIONS.has(ext)) images.push(f);
    else other.push(f);
  }
  const unused = (list: FileEntry[], why: string) => {
    for (const f of list) skipped.push({ file: f.rel, reason: why });
  };

  // Images win over arrays: a folder of class subfolders with an IDX, .npy or CSV file beside them
  // (or a link to a folder of them) is an image folder; only a folder of arrays alone loads arrays.
  if (images.length) {
    const arrays = [...idx, ...npy, ...csv].sort((a, b) => compareNames(a.rel, b.rel));
    unused(arrays, 'not used: folder read as images');
    for (const f of other)
      skipped.push({ file: f.rel, reason: `not an image file${extOf(f.rel) ? ` (.${extOf(f.rel)})` : ''}` });
    const ds = await loadImageFolder({ root, name, images, labelsCsv, skipped }, opts, hooks);
    if (arrays.length) (ds.notes ??= []).push(leftOut(arrays));
    return ds;
  }
  if (idx.length || npy.length) {
    const isIdx = idx.length > 0;
    const chosen = isIdx ? idx : npy;
    unused(
      [...(isIdx ? npy : []), ...csv, ...other, ...(labelsCsv ? [labelsCsv] : [])],
      `not used: folder read as ${isIdx ? 'IDX' : '.npy'} arrays`,
    );
    const arrays: NamedArray[] = [];
    let done = 0;
    hooks.onProgress?.(0, chosen.length);
    for (const f of chosen) {
      hooks.signal?.throwIfAborted();
      try {
        const a = isIdx ? await readIdx(f.abs) : await readNpy(f.abs, f.rel);
        // Labels become plain numbers (8 bytes each): bounded by the items a dataset may hold.
        if (a.shape.length === 1 && a.shape[0] > MAX_ITEMS)
          throw new Error(
            `${a.shape[0].toLocaleString('en-US')} labels, more than the ${MAX_ITEMS.toLocaleString('en-US')} items a dataset may hold`,
          );
        const values = a.shape.length === 1 ? toNumbers(a.data) : toUint8(a.data);
        arrays.push({ rel: f.rel, shape: a.shape, values });
      } catch (e) {
        skipped.push({ file: f.rel, reason: (e as Error).message.replace(`${f.abs}: `, '').replace(`${f.rel}: `, '') });
      }
      hooks.onProgress?.(++done, chosen.length);
    }
    const ds = assembleArrays(isIdx ? 'idx' : 'npy', root, name, arrays, skipped);
    // Until here progress counted files; end in items, like the other formats.
    hooks.onProgress?.(ds.n, ds.n);
    return ds;
  }
  if (csv.length || labelsCsv) {
    unused(other, 'not used: folder read as CSV');
    return loadCsvFiles(root, name, csv.length ? csv : [labelsCsv!], skipped, hooks);
  }
  const seen = skipped.length
    ? ` (${skipped.length} entries skipped: ${skipped
        .slice(0, 3)
        .map((s) => `${s.file}: ${s.reason}`)
        .join('; ')})`
    : '';
  for (const f of other) skipped.push({ file: f.rel, reason: 'not an image, IDX, CSV or .npy file' });
  throw new Error(
    `${root}: no images, IDX, CSV or .npy files found${other.length ? ` among ${other.length} files` : ''}${seen}`,
  );
}

/** The note naming array files an image folder left out (the first few by name). */
function leftOut(arrays: FileEntry[]): string {
  const shown = arrays.slice(0, 3).map((f) => f.rel);
  const more = arrays.length > shown.length ? ` and ${arrays.length - shown.length} more` : '';
  const files =
    arrays.length === 1 ? '1 array file (IDX, .npy or CSV)' : `${arrays.length} array files (IDX, .npy or CSV)`;
  return `left out ${files} because the folder holds images: ${shown.join(', ')}${more}; open ${arrays.length === 1 ? 'it' : 'them'} as a folder of their own`;
}

/** Keeps `limit` items spread evenly over the dataset, so every class keeps its share. */
export function takeEvenly(ds: Dataset, limit: number): Dataset {
  if (limit >= ds.n) return ds;
  const size = ds.height * ds.width * ds.channels;
  const pixels = new Uint8Array(limit * size);
  const labels = new Int32Array(limit);
  const files: string[] | null = ds.files ? [] : null;
  for (let j = 0; j < limit; j++) {
    const i = Math.floor((j * ds.n) / limit);
    pixels.set(ds.pixels.subarray(i * size, (i + 1) * size), j * size);
    labels[j] = ds.labels[i];
    files?.push(ds.files![i]);
  }
  return { ...ds, n: limit, pixels, labels, files };
}
