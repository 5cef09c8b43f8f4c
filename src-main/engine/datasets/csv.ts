import { readFile } from 'node:fs/promises';

import {
  formatBytes,
  MAX_CSV_CELLS,
  MAX_CSV_COLUMNS,
  MAX_CSV_FILE_BYTES,
  MAX_CSV_ROW_CHARS,
  MAX_CSV_ROWS,
  MAX_DATASET_BYTES,
} from './limits.js';
import type { Dataset, LoadHooks, SkippedItem } from './types.js';
import { compareNames, type FileEntry, reason } from './walk.js';

/** Splits one CSV line (RFC 4180 quoting; no embedded newlines). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const LABEL_NAMES = new Set(['label', 'labels', 'class', 'y', 'target', 'digit', 'category']);

/** Height, width and channels for a pixel count: a square gray image, or a square RGB one, at least 2×2. */
export function shapeFor(pixels: number): { height: number; width: number; channels: number } | null {
  const s = Math.round(Math.sqrt(pixels));
  if (s > 1 && s * s === pixels) return { height: s, width: s, channels: 1 };
  const c = Math.round(Math.sqrt(pixels / 3));
  if (c > 1 && 3 * c * c === pixels) return { height: c, width: c, channels: 3 };
  return null;
}

interface Layout {
  labelCol: number; // -1 = none
  header: boolean;
  cols: number;
}

function layoutOf(first: string[], file: string): Layout {
  const cols = first.length;
  const header = first.some((c) => c.trim() !== '' && !Number.isFinite(Number(c)));
  let labelCol = -1;
  if (header) labelCol = first.findIndex((c) => LABEL_NAMES.has(c.trim().toLowerCase()));
  if (labelCol < 0) {
    // No named label column: the first one is the label when the rest make a square image and all do not.
    if (shapeFor(cols - 1) && !shapeFor(cols)) labelCol = 0;
    else if (!shapeFor(cols))
      throw new Error(`${file}: ${cols} columns: neither they nor all but the first make a square image`);
  }
  if (!shapeFor(cols - (labelCol >= 0 ? 1 : 0)))
    throw new Error(`${file}: ${cols - 1} pixel columns do not make a square image`);
  return { labelCol, header, cols };
}

const fmt = (k: number) => k.toLocaleString('en-US');

/** The reason a CSV of `size` bytes is not read. */
export function tooLarge(size: number): string {
  return `${formatBytes(size)}, more than the ${formatBytes(MAX_CSV_FILE_BYTES)} a CSV file may have; not read`;
}

/** The reason a row of `chars` characters is not split. */
export function longRow(chars: number): string {
  return `row of ${fmt(chars)} characters, more than the ${fmt(MAX_CSV_ROW_CHARS)} a CSV row may have`;
}

/**
 * Why a CSV's text is past the bounds (first row length, columns, rows,
 * cells), or null. Counted by scanning for commas and newlines, so 10⁶
 * columns are refused without making 10⁶ strings.
 */
export function csvBounds(text: string): string | null {
  // The first non-blank line is the one whose cells set the layout.
  const first = /\S/.exec(text);
  const start = first ? text.lastIndexOf('\n', first.index) + 1 : 0;
  const end = text.indexOf('\n', start);
  const stop = end < 0 ? text.length : end;
  if (stop - start > MAX_CSV_ROW_CHARS) return `first ${longRow(stop - start)}`;
  let cols = 1;
  for (let i = text.indexOf(',', start); i >= 0 && i < stop; i = text.indexOf(',', i + 1)) cols++;
  if (cols > MAX_CSV_COLUMNS)
    return `${fmt(cols)} columns, more than the ${fmt(MAX_CSV_COLUMNS)} a CSV may have (a 295×295 RGB image and a label)`;
  let rows = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  if (rows > MAX_CSV_ROWS) return `${fmt(rows)} rows, more than the ${fmt(MAX_CSV_ROWS)} a CSV may have`;
  if (rows * cols > MAX_CSV_CELLS)
    return `${fmt(rows)} rows × ${fmt(cols)} columns, more than the ${fmt(MAX_CSV_CELLS)} cells a CSV may have`;
  return null;
}

/**
 * Loads pixel CSVs (the Kaggle MNIST layout: a label column and one column
 * per pixel, with or without a header; a label column is found by name or
 * by count). Values in [0, 1] are scaled to 0–255. A row with the wrong
 * number of cells or a non-numeric pixel is skipped with its line number.
 * Several files are joined when their images have the same size.
 */
export async function loadCsvFiles(
  root: string,
  name: string,
  csvs: FileEntry[],
  skipped: SkippedItem[],
  hooks: LoadHooks,
): Promise<Dataset> {
  const totalBytes = csvs.reduce((a, f) => a + f.size, 0);
  let bytesDone = 0;
  let shape: ReturnType<typeof shapeFor> = null;
  let pixels = new Uint8Array(0);
  let n = 0;
  const labelText: (string | null)[] = [];
  const files: string[] = [];
  let tick = 0;

  for (const f of csvs) {
    hooks.signal?.throwIfAborted();
    if (f.size > MAX_CSV_FILE_BYTES) {
      skipped.push({ file: f.rel, reason: tooLarge(f.size) });
      continue;
    }
    let text: string;
    try {
      text = await readFile(f.abs, 'latin1');
    } catch (e) {
      skipped.push({ file: f.rel, reason: `cannot read: ${reason(e)}` });
      continue;
    }
    // Bounds from the raw text, before a single cell or array is made.
    const refused = csvBounds(text);
    if (refused) {
      skipped.push({ file: f.rel, reason: refused });
      continue;
    }
    const lines = text.split('\n');
    const firstIdx = lines.findIndex((l) => l.trim() !== '');
    if (firstIdx < 0) {
      skipped.push({ file: f.rel, reason: 'empty CSV' });
      continue;
    }
    let layout: Layout;
    try {
      layout = layoutOf(splitCsvLine(lines[firstIdx].replace(/\r$/, '')), f.rel);
    } catch (e) {
      skipped.push({ file: f.rel, reason: (e as Error).message.replace(`${f.rel}: `, '') });
      continue;
    }
    const p = layout.cols - (layout.labelCol >= 0 ? 1 : 0);
    const s = shapeFor(p)!;
    if (shape && (shape.height !== s.height || shape.channels !== s.channels)) {
      skipped.push({
        file: f.rel,
        reason: `${p} pixels per row, the other CSVs have ${shape.height * shape.width * shape.channels}`,
      });
      continue;
    }
    shape = s;
    // Values in [0, 1] (already normalised data) are scaled; judged on the first rows.
    let scale = 1;
    {
      let max = 0;
      let fractional = false;
      for (let li = firstIdx + (layout.header ? 1 : 0), k = 0; li < lines.length && k < 50; li++, k++) {
        if (lines[li].length > MAX_CSV_ROW_CHARS) continue;
        const cells = lines[li].split(',');
        for (let c = 0; c < cells.length; c++) {
          if (c === layout.labelCol) continue;
          const v = Number(cells[c]);
          if (v > max) max = v;
          if (!fractional && v % 1 !== 0) fractional = true;
        }
      }
      if (max <= 1 && fractional) scale = 255;
    }
    const need = (n + lines.length) * p;
    if (need > MAX_DATASET_BYTES) {
      skipped.push({
        file: f.rel,
        reason: `its rows would take the dataset past ${formatBytes(MAX_DATASET_BYTES)}, the most it may hold`,
      });
      continue;
    }
    if (pixels.length < need) {
      const grown = new Uint8Array(need);
      grown.set(pixels.subarray(0, n * p));
      pixels = grown;
    }
    for (let li = firstIdx + (layout.header ? 1 : 0); li < lines.length; li++) {
      const line = lines[li];
      if (line.length <= 1 && line.trim() === '') continue;
      if (++tick % 2000 === 0) {
        hooks.onProgress?.(
          n,
          Math.max(n + 1, Math.round((n * totalBytes) / Math.max(1, bytesDone + (li / lines.length) * f.size))),
        );
        await new Promise((r) => setImmediate(r));
        hooks.signal?.throwIfAborted();
      }
      if (line.length > MAX_CSV_ROW_CHARS) {
        skipped.push({ file: `${f.rel}:${li + 1}`, reason: longRow(line.length) });
        continue;
      }
      const cells = line.includes('"') ? splitCsvLine(line.replace(/\r$/, '')) : line.split(',');
      if (cells.length !== layout.cols) {
        skipped.push({ file: `${f.rel}:${li + 1}`, reason: `row has ${cells.length} values, expected ${layout.cols}` });
        continue;
      }
      const o = n * p;
      let bad = -1;
      for (let c = 0, k = 0; c < cells.length; c++) {
        if (c === layout.labelCol) continue;
        const v = Number(cells[c]) * scale;
        if (!Number.isFinite(v) || cells[c].trim() === '') {
          bad = c;
          break;
        }
        pixels[o + k++] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
      if (bad >= 0) {
        skipped.push({
          file: `${f.rel}:${li + 1}`,
          reason: `column ${bad + 1} is not a number: "${cells[bad].trim().slice(0, 20)}"`,
        });
        continue;
      }
      labelText.push(layout.labelCol >= 0 ? cells[layout.labelCol].trim().replace(/^"|"$/g, '') || null : null);
      files.push(`${f.rel}:${li + 1}`);
      n++;
    }
    bytesDone += f.size;
  }
  if (!shape || n === 0) {
    const why = skipped.find((s) => csvs.some((f) => s.file === f.rel));
    throw new Error(
      `${root}: no usable rows in ${csvs.map((f) => f.rel).join(', ')}${why ? ` (${why.file}: ${why.reason})` : ''}`,
    );
  }
  const classNames = [...new Set(labelText.filter((l): l is string => l !== null))].sort(compareNames);
  const index = new Map(classNames.map((c, i) => [c, i]));
  const labels = Int32Array.from(labelText, (l) => (l === null ? -1 : index.get(l)!));
  hooks.onProgress?.(n, n);
  return {
    name,
    source: root,
    format: 'csv',
    n,
    ...shape,
    pixels: pixels.slice(0, n * shape.height * shape.width * shape.channels),
    labels,
    classNames,
    files,
    skipped,
  };
}
