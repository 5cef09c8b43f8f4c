import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { decodeBudget } from './budget.js';
import { longRow, splitCsvLine, tooLarge } from './csv.js';
import {
  checkSize,
  declaredSize,
  decodeCost,
  type DecodedImage,
  decodeImage,
  readImageSize,
  type Size,
} from './decode.js';
import {
  formatBytes,
  MAX_CSV_FILE_BYTES,
  MAX_CSV_ROW_CHARS,
  MAX_CSV_ROWS,
  MAX_DATASET_BYTES,
  MAX_IMAGE_FILE_BYTES,
} from './limits.js';
import type { LoadOptions } from './options.js';
import type { Dataset, LoadHooks, SkippedItem } from './types.js';
import { compareNames, type FileEntry, reason } from './walk.js';

/** What the folder loader hands to the image loader. */
export interface ImageFolderInput {
  root: string;
  name: string;
  /** Image files in a stable order. */
  images: FileEntry[];
  /** labels.csv beside or inside the folder, if any. */
  labelsCsv: FileEntry | null;
  /** Skips found so far (the walk's); this loader appends its own. */
  skipped: SkippedItem[];
}

/**
 * Decodes an image folder: one subfolder per class (the class is the first
 * folder under the root), or flat and unlabeled; a labels.csv (file name →
 * label) supplies or overrides labels. Every image is brought to one size
 * and stored as uint8, gray when all images are gray.
 */
export async function loadImageFolder(input: ImageFolderInput, opts: LoadOptions, hooks: LoadHooks): Promise<Dataset> {
  const { images, skipped } = input;
  const notes: string[] = [];
  const n = images.length;
  hooks.onProgress?.(0, n);

  // Labels: class folders first, then labels.csv on top.
  const labelOf = classFolders(
    images.map((f) => f.rel),
    notes,
  );
  if (input.labelsCsv) {
    const fromCsv = await readLabelsCsv(input.labelsCsv, images, skipped);
    let used = 0;
    fromCsv.forEach((l, i) => {
      if (l !== null) {
        labelOf[i] = l;
        used++;
      }
    });
    notes.push(`${input.labelsCsv.rel}: labels for ${used} of ${n} images`);
  }
  const classNames = [...new Set(labelOf.filter((l): l is string => l !== null))].sort(compareNames);
  const classIndex = new Map(classNames.map((c, i) => [c, i]));
  if (classNames.length === 1) notes.push(`one class only ("${classNames[0]}")`);

  // When no sampled file has a readable header, look at all of them before giving up.
  const found =
    opts.size ??
    (await mostCommonSize(images, opts.sizeSample, hooks.signal)) ??
    (await mostCommonSize(images, n, hooks.signal));
  if (!found)
    throw new Error(
      `${input.root}: none of the ${n} images could be read (${images[0].rel}: ${await whyUnreadable(images[0])})`,
    );
  const target: Size = found;
  const hw = target.width * target.height;
  // Checked before the buffers are made: a few thousand photos at their own size would not fit.
  if (n * hw * 3 > MAX_DATASET_BYTES)
    throw new Error(
      `${input.root}: ${n.toLocaleString('en-US')} images at ${target.width}×${target.height} would take ${formatBytes(n * hw * 3)} in colour, more than the ${formatBytes(MAX_DATASET_BYTES)} a dataset may hold; choose a smaller image size`,
    );
  const gray = new Uint8Array(n * hw);
  // Colour images go straight into an RGB buffer made on the first one; gray ones stay 1 byte a pixel.
  let rgbAll: Uint8Array | null = null;
  const isColour = new Uint8Array(n);
  let colourCount = 0;
  const ok = new Uint8Array(n);
  const problems: (SkippedItem | null)[] = new Array(n).fill(null);
  let resized = 0;
  let next = 0;
  let done = 0;
  let lastYield = performance.now();

  async function worker(): Promise<void> {
    while (next < n && !hooks.signal?.aborted) {
      // PNG decoding is synchronous: give timers and messages (a cancel) a turn every 50 ms.
      if (performance.now() - lastYield > 50) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
        continue;
      }
      const i = next++;
      const f = images[i];
      try {
        const img = await decodeFile(f, target, opts.grayscale);
        if (img.resized) resized++;
        if (img.channels === 1) gray.set(img.data, i * hw);
        else {
          rgbAll ??= new Uint8Array(n * hw * 3);
          rgbAll.set(img.data, i * hw * 3);
          isColour[i] = 1;
          colourCount++;
        }
        ok[i] = 1;
      } catch (e) {
        problems[i] = { file: f.rel, reason: (e as Error).message };
      }
      done++;
      hooks.onProgress?.(done, n);
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, n) }, worker));
  hooks.signal?.throwIfAborted();
  for (const p of problems) if (p) skipped.push(p);

  // Keep the images that decoded, in order.
  let m = 0;
  for (let i = 0; i < n; i++) m += ok[i];
  if (m === 0)
    throw new Error(`${input.root}: none of the ${n} images could be read (${problems.find(Boolean)?.reason})`);
  const channels = rgbAll ? 3 : 1;
  const size = hw * channels;
  // Compact in place (item j ≤ i, so no unread item is overwritten): memory stays near the pixel data.
  const out = rgbAll ?? gray;
  const labels = new Int32Array(m);
  const files: string[] = [];
  for (let i = 0, j = 0; i < n; i++) {
    if (!ok[i]) continue;
    const l = labelOf[i];
    labels[j] = l === null ? -1 : classIndex.get(l)!;
    files.push(images[i].rel);
    if (channels === 1 || isColour[i]) {
      if (j !== i) out.copyWithin(j * size, i * size, (i + 1) * size);
    } else {
      const o = j * size;
      for (let p = 0, g = i * hw; p < hw; p++, g++) out[o + 3 * p] = out[o + 3 * p + 1] = out[o + 3 * p + 2] = gray[g];
    }
    j++;
  }
  const pixels = m === n ? out : out.subarray(0, m * size);
  const nImages = (k: number) => `${k.toLocaleString('en-US')} ${k === 1 ? 'image' : 'images'}`;
  if (resized)
    notes.push(
      `${nImages(resized)} of another size resized to ${target.width}×${target.height} (padded to keep aspect)`,
    );
  if (channels === 3 && colourCount < m)
    notes.push(`${nImages(m - colourCount)} in gray stored as RGB alongside ${nImages(colourCount)} in colour`);
  return {
    name: input.name,
    source: input.root,
    format: 'image-folder',
    n: m,
    height: target.height,
    width: target.width,
    channels,
    pixels,
    labels,
    classNames,
    files,
    skipped,
    notes,
  };
}

/** Files up to this size are read whole before their header is looked at; larger ones have their head read first. */
const SMALL_FILE = 1 << 20;

/**
 * Reads and decodes one image inside the decode budget: the size is checked
 * from the header (and the file size from the walk) before the decode's
 * memory is reserved, and a large file is read only once its turn comes.
 */
async function decodeFile(f: FileEntry, target: Size, grayscale: boolean): Promise<DecodedImage> {
  if (f.size > MAX_IMAGE_FILE_BYTES)
    throw new Error(
      `${formatBytes(f.size)}, more than the ${formatBytes(MAX_IMAGE_FILE_BYTES)} an image file may have; not read`,
    );
  const read = () => {
    try {
      // Sync: small files come from the page cache far faster than through the thread pool.
      return readFileSync(f.abs);
    } catch (e) {
      throw new Error(`cannot read: ${reason(e)}`, { cause: e });
    }
  };
  let bytes = f.size <= SMALL_FILE ? read() : null;
  if (bytes?.length === 0) throw new Error('empty file (0 bytes)');
  let size: Size;
  try {
    size = bytes ? await declaredSize(bytes) : await readImageSize(f.abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new Error(`cannot read: ${reason(e)}`, { cause: e });
    throw e;
  }
  checkSize(size);
  const cost = decodeCost(size, bytes?.length ?? f.size);
  await decodeBudget.acquire(cost);
  try {
    bytes ??= read();
    return await decodeImage(bytes, target, grayscale, size);
  } finally {
    decodeBudget.release(cost);
  }
}

const SPLITS = new Set(['train', 'training', 'test', 'testing', 'val', 'valid', 'validation', 'dev', 'eval']);

/**
 * The class of each file: its first folder, or its second when every file
 * sits in split folders such as train/<class>/ and test/<class>/ (the
 * layout many downloaded datasets have); null for files at the root.
 */
export function classFolders(rels: string[], notes: string[] = []): (string | null)[] {
  const parts = rels.map((r) => r.split('/'));
  const split = parts.length > 0 && parts.every((p) => p.length >= 3 && SPLITS.has(p[0].toLowerCase()));
  if (split) {
    const names = [...new Set(parts.map((p) => p[0]))].sort(compareNames);
    notes.push(`split folders ${names.join(', ')} joined; classes from the folders inside them`);
  }
  return parts.map((p) => (split ? p[1] : p.length >= 2 ? p[0] : null));
}

/** The most common width×height among up to `sample` files spread evenly over the list. */
export async function mostCommonSize(images: FileEntry[], sample: number, signal?: AbortSignal): Promise<Size | null> {
  const step = Math.max(1, images.length / sample);
  const picks: FileEntry[] = [];
  for (let x = 0; x < images.length && picks.length < sample; x += step) picks.push(images[Math.floor(x)]);
  const counts = new Map<string, number>();
  let next = 0;
  async function worker() {
    while (next < picks.length && !signal?.aborted) {
      const f = picks[next++];
      if (f.size === 0) continue;
      try {
        const s = await readImageSize(f.abs);
        // A target past 4096² would not fit in memory for a whole dataset; such images count for nothing.
        if (s.width > 0 && s.height > 0 && s.width * s.height <= 4096 * 4096) {
          const k = `${s.width}x${s.height}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
      } catch {
        // Unreadable files are reported by the decoding pass.
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  signal?.throwIfAborted();
  let best = '';
  let bestCount = 0;
  for (const [k, c] of counts) if (c > bestCount) [best, bestCount] = [k, c];
  if (!best) return null;
  const [width, height] = best.split('x').map(Number);
  return { width, height };
}

async function whyUnreadable(f: FileEntry): Promise<string> {
  try {
    await decodeImage(readFileSync(f.abs), { width: 1, height: 1 }, true);
    return 'unknown';
  } catch (e) {
    return reason(e);
  }
}

/**
 * Reads labels.csv rows "file,label" (a header row is allowed). File names
 * may be relative to the folder or bare names. Returns a label per image or
 * null; rows with fewer than two cells are reported as skipped.
 */
async function readLabelsCsv(csv: FileEntry, images: FileEntry[], skipped: SkippedItem[]): Promise<(string | null)[]> {
  const byRel = new Map<string, number>();
  const byBase = new Map<string, number>();
  images.forEach((f, i) => {
    byRel.set(f.rel, i);
    byBase.set(path.posix.basename(f.rel), i);
  });
  const out: (string | null)[] = new Array(images.length).fill(null);
  if (csv.size > MAX_CSV_FILE_BYTES) {
    skipped.push({ file: csv.rel, reason: `labels not read: ${tooLarge(csv.size)}` });
    return out;
  }
  let text: string;
  try {
    text = await readFile(csv.abs, 'utf8');
  } catch (e) {
    skipped.push({ file: csv.rel, reason: `cannot read labels: ${reason(e)}` });
    return out;
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_CSV_ROWS) {
    skipped.push({
      file: csv.rel,
      reason: `labels not read: ${lines.length.toLocaleString('en-US')} rows, more than the ${MAX_CSV_ROWS.toLocaleString('en-US')} a CSV may have`,
    });
    return out;
  }
  let unmatched = 0;
  lines.forEach((line, li) => {
    if (line.length > MAX_CSV_ROW_CHARS) {
      skipped.push({ file: `${csv.rel}:${li + 1}`, reason: longRow(line.length) });
      return;
    }
    if (!line.trim()) return;
    const cells = splitCsvLine(line);
    if (cells.length < 2) {
      skipped.push({ file: `${csv.rel}:${li + 1}`, reason: 'row needs a file name and a label' });
      return;
    }
    const name = cells[0].trim().replace(/\\/g, '/').replace(/^\.\//, '');
    const i = byRel.get(name) ?? byBase.get(path.posix.basename(name));
    if (i === undefined) {
      if (li > 0) unmatched++;
      return;
    }
    out[i] = cells[1].trim() || null;
  });
  if (unmatched) skipped.push({ file: csv.rel, reason: `${unmatched} rows name no image in the folder` });
  return out;
}
