import { shapeFor } from './csv.js';
import { formatBytes, MAX_DATASET_BYTES, MAX_ITEMS } from './limits.js';
import type { Dataset, SkippedItem } from './types.js';
import { compareNames } from './walk.js';

/** One array read from a file (IDX or .npy), values already uint8 for images. */
export interface NamedArray {
  rel: string;
  shape: number[];
  /** Image values as uint8, or label values as numbers. */
  values: Uint8Array | number[];
}

const ROLE_TOKENS = new Set([
  'images',
  'image',
  'imgs',
  'img',
  'labels',
  'label',
  'x',
  'y',
  'data',
  'targets',
  'target',
  'ubyte',
]);

/** "train-images-idx3-ubyte.gz" and "train-labels-idx1-ubyte" → "train"; "x_test.npy" and "y_test.npy" → "test". */
export function pairKey(rel: string): string {
  const base = rel
    .slice(rel.lastIndexOf('/') + 1)
    .toLowerCase()
    .replace(/\.(gz|npy)$/, '');
  return base
    .split(/[-_.\s]+/)
    .filter((t) => t && !ROLE_TOKENS.has(t) && !/^idx\d$/.test(t))
    .join('_');
}

interface ImageLayout {
  n: number;
  height: number;
  width: number;
  channels: number;
  /** Source channels per pixel and whether the source is channels-first. */
  srcChannels: number;
  chw: boolean;
}

function layoutOf(shape: number[]): ImageLayout | string {
  const [n, a, b, c] = shape;
  if (shape.length === 2) {
    const s = shapeFor(a);
    return s ? { n, ...s, srcChannels: s.channels, chw: false } : `rows of ${a} values are not a square image`;
  }
  if (shape.length === 3) return { n, height: a, width: b, channels: 1, srcChannels: 1, chw: false };
  if (shape.length === 4) {
    if ([1, 3, 4].includes(c)) return { n, height: a, width: b, channels: c === 1 ? 1 : 3, srcChannels: c, chw: false };
    if ([1, 3].includes(a)) return { n, height: b, width: c, channels: a, srcChannels: a, chw: true };
    return `shape (${shape.join(', ')}): the last axis should be 1, 3 or 4 channels`;
  }
  return `shape (${shape.join(', ')}) is not N×H×W or N×H×W×C`;
}

/** Copies one item into HWC with 1 or 3 channels (alpha dropped, channels-first transposed). */
function copyItem(src: Uint8Array, i: number, l: ImageLayout, dst: Uint8Array, j: number): void {
  const hw = l.height * l.width;
  const inSize = hw * l.srcChannels;
  const s = i * inSize;
  const d = j * hw * l.channels;
  if (!l.chw && l.srcChannels === l.channels) {
    dst.set(src.subarray(s, s + inSize), d);
    return;
  }
  for (let p = 0; p < hw; p++)
    for (let ch = 0; ch < l.channels; ch++)
      dst[d + p * l.channels + ch] = l.chw ? src[s + ch * hw + p] : src[s + p * l.srcChannels + ch];
}

/**
 * Builds a Dataset from image arrays and label arrays found in one folder:
 * labels pair with images by name ("train-images…"/"train-labels…",
 * "x_test"/"y_test") and length; files with "train" in the name come first.
 * Arrays that do not fit are skipped with a reason.
 */
export function assembleArrays(
  format: string,
  root: string,
  name: string,
  arrays: NamedArray[],
  skipped: SkippedItem[],
): Dataset {
  const labelArrays = arrays.filter((a) => a.shape.length === 1);
  const imageArrays = arrays
    .filter((a) => a.shape.length > 1)
    .sort((a, b) => Number(!/train/i.test(a.rel)) - Number(!/train/i.test(b.rel)) || compareNames(a.rel, b.rel));
  const used = new Set<NamedArray>();
  const parts: { arr: NamedArray; layout: ImageLayout; labels: number[] | null }[] = [];
  let first: ImageLayout | null = null;
  let total = 0;
  for (const arr of imageArrays) {
    const layout = layoutOf(arr.shape);
    if (typeof layout === 'string') {
      skipped.push({ file: arr.rel, reason: layout });
      continue;
    }
    if (
      first &&
      (first.height !== layout.height || first.width !== layout.width || first.channels !== layout.channels)
    ) {
      skipped.push({
        file: arr.rel,
        reason: `images are ${layout.width}×${layout.height}×${layout.channels}, the others ${first.width}×${first.height}×${first.channels}`,
      });
      continue;
    }
    const itemBytes = layout.height * layout.width * layout.channels;
    if ((total + layout.n) * itemBytes > MAX_DATASET_BYTES || total + layout.n > MAX_ITEMS) {
      skipped.push({
        file: arr.rel,
        reason: `its ${layout.n.toLocaleString('en-US')} images would take the dataset past ${formatBytes(MAX_DATASET_BYTES)} or ${MAX_ITEMS.toLocaleString('en-US')} items, the most it may hold`,
      });
      continue;
    }
    total += layout.n;
    first ??= layout;
    const key = pairKey(arr.rel);
    let lab = labelArrays.find((l) => !used.has(l) && l.shape[0] === layout.n && pairKey(l.rel) === key);
    if (!lab && imageArrays.length === 1) lab = labelArrays.find((l) => l.shape[0] === layout.n);
    if (lab) used.add(lab);
    parts.push({ arr, layout, labels: lab ? (lab.values as number[]) : null });
  }
  for (const l of labelArrays)
    if (!used.has(l))
      skipped.push({
        file: l.rel,
        reason: `labels not used: no images array of length ${l.shape[0]} with a matching name`,
      });
  if (!first || parts.length === 0)
    throw new Error(
      `${root}: no usable image arrays (${skipped.map((s) => `${s.file}: ${s.reason}`).join('; ') || 'none found'})`,
    );

  const n = parts.reduce((a, p) => a + p.layout.n, 0);
  const size = first.height * first.width * first.channels;
  const pixels = new Uint8Array(n * size);
  const raw: number[] = [];
  let j = 0;
  for (const { arr, layout, labels } of parts) {
    for (let i = 0; i < layout.n; i++, j++) {
      copyItem(arr.values as Uint8Array, i, layout, pixels, j);
      raw.push(labels ? labels[i] : NaN);
    }
  }
  const classValues = [...new Set(raw.filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
  const index = new Map(classValues.map((v, i) => [v, i]));
  return {
    name,
    source: root,
    format,
    n,
    height: first.height,
    width: first.width,
    channels: first.channels,
    pixels,
    labels: Int32Array.from(raw, (v) => (Number.isNaN(v) ? -1 : index.get(v)!)),
    classNames: classValues.map(String),
    files: null,
    skipped,
    notes: parts.map((p) => `${p.arr.rel}: ${p.layout.n} images${p.labels ? '' : ' (no labels found)'}`),
  };
}
