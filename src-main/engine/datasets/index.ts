import type { DatasetSource } from '../../protocol.js';
import { loadFolder, takeEvenly } from './folder.js';
import { loadMnist } from './mnist.js';
import type { LoadOptions } from './options.js';
import { type Dataset, type LoadHooks, summarize, takeFirst } from './types.js';

/**
 * Loads any supported dataset source into the one Dataset shape. For a
 * folder, `limit` keeps items spread evenly (so classes keep their share);
 * the source's size and grayscale override those in `options`, which also
 * sets the cache directory.
 */
export async function loadDataset(
  source: DatasetSource,
  hooks: LoadHooks = {},
  options: Partial<LoadOptions> = {},
): Promise<Dataset> {
  if (source.kind === 'mnist') return loadMnist(source.limit ?? 70000, hooks);
  // The source's own options (from the UI or the CLI) win over the caller's defaults.
  const ds = await loadFolder(
    source.path,
    {
      ...options,
      ...(source.size ? { size: { width: source.size.width, height: source.size.height } } : {}),
      ...(source.grayscale !== undefined ? { grayscale: source.grayscale } : {}),
    },
    hooks,
  );
  return source.limit ? takeEvenly(ds, source.limit) : ds;
}

export { loadFolder, summarize, takeFirst };
export { defaultCacheDir, DEFAULTS as LOAD_DEFAULTS } from './options.js';
export type { Dataset, LoadHooks, LoadOptions };
