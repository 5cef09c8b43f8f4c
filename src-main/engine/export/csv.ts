import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Quotes a CSV field per RFC 4180 when it holds a comma, quote, CR or LF. */
export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? formatNumber(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Shortest text that reads back as the same float32 value. */
function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v)) return String(v);
  // float32 needs at most 9 significant digits to round-trip.
  for (let p = 6; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === Math.fround(v)) return String(Number(s));
  }
  return String(v);
}

/** What goes into a projections CSV. */
export interface ProjectionRows {
  /** n×2 positions, row-major. */
  positions: Float32Array;
  labels: Int32Array;
  classNames: string[];
  /** File of each item, where the dataset has files. */
  files: string[] | null;
  /** Only these rows, in this order (default: all). */
  rows?: ArrayLike<number>;
  /** Optional `error` column: per-item reconstruction error. */
  errors?: Float32Array | null;
  /** Optional `cluster` column: k-means cluster ids from 0 (written from 1, as the app shows them). */
  clusters?: Int32Array | null;
  /** Optional `z0..z{size-1}` columns: the latent code, n×size row-major. */
  codes?: { data: Float32Array; size: number } | null;
}

/**
 * Builds the projections CSV: header `index,label,x,y` (with `file` after
 * `index` where the dataset has files), then the optional `error`, `cluster`
 * and `z0..zK` columns that were given, CRLF line ends as RFC 4180 asks.
 * The label column holds the class name (empty when unlabeled).
 */
export function projectionsCsv(p: ProjectionRows): string {
  const n = p.positions.length / 2;
  const rows = p.rows ?? Array.from({ length: n }, (_, i) => i);
  for (const [what, length] of [
    ['errors', p.errors?.length],
    ['clusters', p.clusters?.length],
    ['codes', p.codes ? p.codes.data.length / p.codes.size : undefined],
  ] as const)
    if (length !== undefined && length !== n) throw new Error(`the ${what} are for ${length} items, the map has ${n}`);
  const header = p.files ? ['index', 'file', 'label', 'x', 'y'] : ['index', 'label', 'x', 'y'];
  if (p.errors) header.push('error');
  if (p.clusters) header.push('cluster');
  if (p.codes) for (let k = 0; k < p.codes.size; k++) header.push(`z${k}`);
  const lines = [header.join(',')];
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const label = p.labels[i] >= 0 ? (p.classNames[p.labels[i]] ?? String(p.labels[i])) : '';
    const cells: (string | number)[] = [i];
    if (p.files) cells.push(p.files[i] ?? '');
    cells.push(label, p.positions[2 * i], p.positions[2 * i + 1]);
    if (p.errors) cells.push(p.errors[i]);
    if (p.clusters) cells.push(p.clusters[i] >= 0 ? p.clusters[i] + 1 : '');
    if (p.codes) for (let k = 0, o = i * p.codes.size; k < p.codes.size; k++) cells.push(p.codes.data[o + k]);
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Parses RFC 4180 CSV text into rows of fields (used to check exports). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Writes a file atomically: the data goes to a temporary file beside the
 * target, which is then renamed over it, so a crash never leaves a partial
 * file. Only a regular file is ever replaced: renaming over a device, a pipe
 * or a folder (say, a save to /dev/null as root) would replace the node itself.
 * A link is written through, to the file it names.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const file = await existingTarget(target);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`${target}: cannot write: ${(e as Error).message}`, { cause: e });
  }
}

/** The real path to write for `target`; throws when something other than a regular file is there. */
async function existingTarget(target: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return target; // nothing there yet (or a dangling link, which rename replaces)
  }
  const info = await stat(real);
  if (!info.isFile()) throw new Error(`${target}: cannot write: it is not a regular file, and it is not replaced`);
  return real;
}
