import type { DatasetSource } from '../../protocol.js';
import { loadDataset } from '../datasets/index.js';
import { datasetLoadedEvent } from '../events.js';
import { type LoadedDataset, withDataset } from '../state.js';
import type { JobContext } from './context.js';

/** Loads a dataset and makes it the head of a new chain (the previous model and maps are gone with the old one). */
export async function loadJob(ctx: JobContext, jobId: string, source: DatasetSource, signal: AbortSignal) {
  const report = ctx.progress(jobId, 'load');
  const t0 = performance.now();
  const dataset = await loadDataset(source, {
    signal,
    onProgress: (done, total) => {
      const rate = done / Math.max((performance.now() - t0) / 1000, 1e-3);
      report({
        message: `loaded ${done}/${total}`,
        done,
        total,
        rate,
        rateUnit: 'images/s',
        etaSeconds: (total - done) / rate,
      });
    },
  });
  const loaded: LoadedDataset = Object.freeze({ kind: 'dataset', dataset, source });
  ctx.commit(withDataset(loaded));
  ctx.emit(datasetLoadedEvent(jobId, loaded));
}
