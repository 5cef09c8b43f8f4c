import type { DatasetSource } from '../../protocol.js';
import { loadFolder, takeEvenly } from './folder.js';
import { loadMnist } from './mnist.js';
import type { LoadOptions } from './options.js';
import { type Dataset, type LoadHooks, summarize, takeFirst } from './types.js';

/**
 * Loads any supported dataset source into the one Dataset shape. For a
 * folder, `limit` keeps items spread evenly (so classes keep their share);
 * `options` sets the image size, forced grayscale and the cache directory.
 */
export async function loadDataset(
  source: DatasetSource,
  hooks: LoadHooks = {},
  options: Partial<LoadOptions> = {},
): Promise<Dataset> {
  if (source.kind === 'mnist') return loadMnist(source.limit ?? 70000, hooks);
  const ds = await loadFolder(source.path, options, hooks);
  return source.limit ? takeEvenly(ds, source.limit) : ds;
}

export { loadFolder, summarize, takeFirst };
export { defaultCacheDir, DEFAULTS as LOAD_DEFAULTS } from './options.js';
export type { Dataset, LoadHooks, LoadOptions };
