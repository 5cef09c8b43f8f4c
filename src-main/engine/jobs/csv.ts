import type { CsvColumn } from '../../protocol.js';
import { projectionsCsv } from '../export/csv.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkIndex, type JobContext, needDataset } from './context.js';

/** The current projection as CSV (optionally some rows and extra columns), to a file or in the event. */
export async function exportCsvJob(
  ctx: JobContext,
  requestId: string,
  file?: string,
  rows?: number[],
  columns: CsvColumn[] = [],
) {
  const ds = needDataset(ctx.state);
  const { projection, trained, clusters } = ctx.state;
  if (!projection) throw new Error('nothing to export yet: project the dataset first');
  for (const i of rows ?? []) checkIndex(ds, i, 'row');
  const want = new Set(columns);
  if (want.has('error') && !trained) throw new Error('no reconstruction errors to export yet: train a model first');
  if (want.has('code') && !trained) throw new Error('no latent codes to export yet: train a model first');
  if (want.has('cluster') && !clusters)
    throw new Error('no k-means clusters of the current codes to export: run k-means first');
  const text = projectionsCsv({
    positions: projection.positions,
    labels: ds.labels,
    classNames: ds.classNames,
    files: ds.files,
    rows,
    errors: want.has('error') && trained ? trained.errors : null,
    clusters: want.has('cluster') && clusters ? clusters.assignments : null,
    codes: want.has('code') && trained ? { data: trained.codes, size: trained.model.codeSize } : null,
  });
  const count = rows?.length ?? ds.n;
  if (file) {
    await writeFileAtomic(file, text);
    ctx.emit({ type: 'csv', requestId, path: file, rows: count });
  } else {
    ctx.emit({ type: 'csv', requestId, text, rows: count });
  }
}
