import type { Dataset } from '../datasets/types.js';
import { type JobContext, needDataset } from './context.js';

/** An exact index match first, then items whose file name contains the query (case-insensitive). */
export function searchItems(ds: Dataset, query: string, limit: number): number[] {
  const q = query.trim();
  const indices: number[] = [];
  if (/^\d+$/.test(q) && Number(q) < ds.n) indices.push(Number(q));
  if (ds.files) {
    const needle = q.toLowerCase();
    for (let i = 0; i < ds.n && indices.length < limit; i++) {
      if (i !== indices[0] && ds.files[i]!.toLowerCase().includes(needle)) indices.push(i);
    }
  }
  return indices;
}

/** Answers the search box. */
export function searchJob(ctx: JobContext, requestId: string, query: string, limit = 20) {
  const ds = needDataset(ctx.state);
  const indices = searchItems(ds, query, limit);
  ctx.emit({
    type: 'searchResults',
    requestId,
    query,
    indices,
    ...(ds.files ? { files: indices.map((i) => ds.files![i]!) } : {}),
  });
}
