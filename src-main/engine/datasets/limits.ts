/**
 * The bounds every dataset file is checked against before its memory is
 * allocated or its pixels decoded. One place, so the README can state them
 * and the fuzz suite can check them.
 */

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Most bytes one decoded array (an IDX or .npy body) may hold. */
export const MAX_ARRAY_BYTES = GiB;
/** A gzip file may inflate to this many times its own size ... */
export const GUNZIP_RATIO = 64;
/** ... and always to this much (small files of mostly zeros compress far better than 64×), but never past MAX_ARRAY_BYTES. */
export const GUNZIP_FLOOR_BYTES = 64 * MiB;

/** The inflated size a gzip file of `compressedBytes` may reach: a zip bomb stops there. */
export function gunzipCap(compressedBytes: number): number {
  return Math.min(MAX_ARRAY_BYTES, Math.max(GUNZIP_FLOOR_BYTES, GUNZIP_RATIO * compressedBytes));
}

/** Most bytes of pixels one loaded dataset may hold (items × height × width × channels). */
export const MAX_DATASET_BYTES = 2 * GiB;

/** Most items (images, rows, labels) one dataset may hold: the contract's bound, so every index a command names fits. */
export { MAX_ITEMS } from '../../protocol.js';

/** Images with more pixels than this (by their header) are refused before decoding. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Image files larger than this are refused before they are read. */
export const MAX_IMAGE_FILE_BYTES = 200_000_000;
/**
 * Decoding memory counted per declared pixel: the decoder's buffer (up to 8
 * bytes for 16-bit RGBA), an 8-bit RGBA or RGB copy, and slack.
 */
export const DECODE_BYTES_PER_PIXEL = 16;
/**
 * Decodes run at once only while their estimates (file size + 16 bytes per
 * declared pixel) fit in this budget, so a folder of large images decodes
 * one or two at a time and a folder of small ones eight at a time. The
 * largest image allowed (MAX_IMAGE_PIXELS, MAX_IMAGE_FILE_BYTES) fits alone.
 */
export const DECODE_BUDGET_BYTES = GiB;

/** Most columns a pixel CSV may have: a 295×295 RGB image and a label. */
export const MAX_CSV_COLUMNS = 2 ** 18;
/** Longest CSV line, in characters, that is split into cells. */
export const MAX_CSV_ROW_CHARS = 4 * MiB;
/** Most rows (lines) a CSV may have. */
export const MAX_CSV_ROWS = 1_000_000;
/** Most cells (rows × columns) a CSV may have. */
export const MAX_CSV_CELLS = 2 ** 28;
/** CSV files (pixels or labels) larger than this are refused before they are read. */
export const MAX_CSV_FILE_BYTES = 512 * MiB;

/** "1.5 GiB", "64 MiB", "280 KB": sizes in messages. */
export function formatBytes(n: number): string {
  if (n >= GiB) return `${+(n / GiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= 1000) return `${Math.round(n / 1000)} KB`;
  return `${n} bytes`;
}
