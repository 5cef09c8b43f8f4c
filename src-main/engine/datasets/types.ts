/**
 * The one in-memory shape every loader produces. Pixels are stored compactly
 * as uint8 in HWC order, item after item; models convert batches to floats
 * in [0, 1] on demand.
 */
export interface Dataset {
  /** Display name, e.g. "MNIST" or the folder's name. */
  name: string;
  /** What was loaded: "mnist" or the absolute folder path. */
  source: string;
  /** Format found, e.g. "idx", "image-folder", "csv", "npy". */
  format: string;
  n: number;
  height: number;
  width: number;
  channels: number;
  /** n·height·width·channels bytes, item-major, HWC within an item. */
  pixels: Uint8Array;
  /** Class index per item, -1 where unlabeled. */
  labels: Int32Array;
  /** Class index → display name. */
  classNames: string[];
  /** Path of each item relative to the dataset root, where items are files. */
  files: string[] | null;
  /** Items that were skipped, each naming the file and the reason. */
  skipped: SkippedItem[];
  /** Things the user should know that are not skips, e.g. "312 images resized to 28×28". */
  notes?: string[];
  /** True when the pixels came from the decoded-dataset cache rather than the files. */
  fromCache?: boolean;
}

/** One item the loader could not use, and why. */
export interface SkippedItem {
  file: string;
  reason: string;
}

/** Progress and cancellation for a loader. */
export interface LoadHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Size in values of one item. */
export function itemSize(ds: Pick<Dataset, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/** Items per class, aligned with classNames (unlabeled items are not counted). */
export function classCounts(ds: Pick<Dataset, 'labels' | 'classNames'>): number[] {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) if (l >= 0 && l < counts.length) counts[l]++;
  return counts;
}

/** Returns a dataset holding only the first `limit` items (sharing no memory with the input). */
export function takeFirst(ds: Dataset, limit: number): Dataset {
  if (limit >= ds.n) return ds;
  const size = itemSize(ds);
  return {
    ...ds,
    n: limit,
    pixels: ds.pixels.slice(0, limit * size),
    labels: ds.labels.slice(0, limit),
    files: ds.files ? ds.files.slice(0, limit) : null,
  };
}

/**
 * One line for the user, e.g. "9,997 images loaded, 3 skipped"; the classes
 * and their counts follow when there are labels.
 */
export function summarize(ds: Dataset): string {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const unit = ds.files ? 'images' : 'items';
  let s = `${fmt(ds.n)} ${unit} loaded (${ds.format}, ${ds.width}×${ds.height}, ${ds.channels === 1 ? 'grayscale' : 'RGB'})`;
  if (ds.skipped.length) s += `, ${fmt(ds.skipped.length)} skipped`;
  const counts = classCounts(ds);
  if (ds.classNames.length)
    s += `; ${ds.classNames.length} classes: ${ds.classNames.map((c, i) => `${c} ${fmt(counts[i])}`).join(', ')}`;
  const unlabeled = ds.labels.reduce((a, l) => a + (l < 0 ? 1 : 0), 0);
  if (unlabeled) s += `; ${fmt(unlabeled)} unlabeled`;
  return s;
}
