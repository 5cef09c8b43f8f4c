import type { DatasetSource } from '../../protocol.js';
import { loadMnist } from './mnist.js';
import { takeFirst, type Dataset, type LoadHooks } from './types.js';

/** Loads any supported dataset source into the one Dataset shape. */
export async function loadDataset(source: DatasetSource, hooks: LoadHooks = {}): Promise<Dataset> {
  if (source.kind === 'mnist') return loadMnist(source.limit ?? 70000, hooks);
  throw new Error(`${source.path}: loading dataset folders is not implemented yet`);
}

export { takeFirst };
export type { Dataset, LoadHooks };
