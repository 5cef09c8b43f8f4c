import os from 'node:os';
import path from 'node:path';

/** How a dataset folder is read and normalised. */
export interface LoadOptions {
  /** Size every image is brought to (aspect kept by padding); null = the most common size in the folder. */
  size: { width: number; height: number } | null;
  /** Convert colour images to one grayscale channel even when the data has colour. */
  grayscale: boolean;
  /** Where decoded datasets are cached; null disables the cache. Default: AE_EXPLORER_CACHE_DIR or the OS's user cache dir. */
  cacheDir: string | null;
  /** Files decoded at once; sharp runs its own thread pool, this keeps it fed. */
  concurrency: number;
  /** Files whose headers are read to find the most common size. */
  sizeSample: number;
}

/** The options a load uses when none are given. */
export const DEFAULTS: Readonly<LoadOptions> = Object.freeze({
  size: null,
  grayscale: false,
  cacheDir: defaultCacheDir(),
  concurrency: 8,
  sizeSample: 1000,
});

/** AE_EXPLORER_CACHE_DIR, else the user cache dir of the OS (e.g. ~/.cache/ae-explorer/datasets). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AE_EXPLORER_CACHE_DIR) return path.resolve(env.AE_EXPLORER_CACHE_DIR);
  const home = os.homedir();
  let base: string;
  if (process.platform === 'darwin') base = path.join(home, 'Library', 'Caches');
  else if (process.platform === 'win32') base = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
  else base = env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'ae-explorer', 'datasets');
}

/** Fills in defaults and throws a clear error for a bad option. */
export function resolveOptions(opts: Partial<LoadOptions> = {}): LoadOptions {
  const o: LoadOptions = {
    ...DEFAULTS,
    // Read the env var at call time so tests and the app can set it late.
    cacheDir: opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir,
    ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k !== 'cacheDir')),
  };
  if (o.size) {
    const { width, height } = o.size;
    if (!(
      Number.isInteger(width) &&
      Number.isInteger(height) &&
      width > 0 &&
      height > 0 &&
      width * height <= 4096 * 4096
    ))
      throw new Error(`size must be positive integers, got ${width}×${height}`);
  }
  if (!(Number.isInteger(o.concurrency) && o.concurrency > 0))
    throw new Error('concurrency must be a positive integer');
  if (!(Number.isInteger(o.sizeSample) && o.sizeSample > 0)) throw new Error('sizeSample must be a positive integer');
  return o;
}
