/**
 * What a dropped file system entry means: a folder is loaded; a dataset file
 * (.npy, .csv, IDX) loads the folder it is in, so its labels file beside it
 * is found too; anything else is explained rather than loaded.
 */

/** Names of files whose folder is a dataset (the loader reads them by name in a folder). */
const DATASET_FILE = /\.(npy|csv)$|(idx\d?[-_.]ubyte|-ubyte|\.idx\d?)(\.gz)?$/i;
const IMAGE_FILE = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i;

/** The folder to load for a drop, or the reason nothing is loaded. */
export type DropDecision = { folder: string; note?: string } | { problem: string };

/** The folder that holds `path` (either separator; a drive or the root stays itself). */
export function parentFolder(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return trimmed;
  if (cut === 0) return trimmed[0];
  // "C:\data.csv" → "C:\", not "C:".
  return /^[A-Za-z]:$/.test(trimmed.slice(0, cut)) ? trimmed.slice(0, cut + 1) : trimmed.slice(0, cut);
}

/**
 * Decides what to load for one dropped entry. `path` is empty when the
 * browser does not reveal it (web mode); `isDirectory` is null when the
 * browser cannot tell.
 */
export function decideDrop(name: string, path: string, isDirectory: boolean | null): DropDecision {
  if (!path)
    return {
      problem:
        'The browser does not tell the page where a dropped folder is. Type or paste its path into the folder field instead.',
    };
  if (isDirectory === true) return { folder: path };
  if (DATASET_FILE.test(name)) return { folder: parentFolder(path), note: `loading the folder that holds ${name}` };
  if (IMAGE_FILE.test(name))
    return { problem: `${name} is one image: drop the folder that holds your images (one subfolder per class).` };
  // Folders usually have no extension; when the browser cannot tell, let the engine try it.
  if (isDirectory === null && !/\.[A-Za-z0-9]{1,5}$/.test(name)) return { folder: path };
  return { problem: `${name} is not a folder or a dataset file (.npy, .csv, IDX); drop a folder of images.` };
}
