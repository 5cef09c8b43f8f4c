import { bytesToBase64 } from '../../protocol.js';
import { type Dataset, itemSize } from '../datasets/types.js';
import { checkIndex, type JobContext, needDataset } from './context.js';

/** Nearest-neighbour downsampled images of the items, at most `maxSide` pixels a side, HWC one after another. */
export function thumbnailPixels(ds: Dataset, indices: readonly number[], maxSide: number) {
  for (const i of indices) checkIndex(ds, i);
  const f = Math.max(1, Math.max(ds.height, ds.width) / maxSide);
  const h = Math.max(1, Math.round(ds.height / f));
  const w = Math.max(1, Math.round(ds.width / f));
  const ch = ds.channels;
  const size = itemSize(ds);
  const pixels = new Uint8Array(indices.length * h * w * ch);
  let o = 0;
  for (const index of indices) {
    const base = index * size;
    for (let y = 0; y < h; y++) {
      const sy = Math.min(ds.height - 1, Math.floor(y * f));
      for (let x = 0; x < w; x++) {
        const sx = Math.min(ds.width - 1, Math.floor(x * f));
        const s = base + (sy * ds.width + sx) * ch;
        for (let c = 0; c < ch; c++) pixels[o++] = ds.pixels[s + c]!;
      }
    }
  }
  return { height: h, width: w, channels: ch, pixels };
}

/** Thumbnails of some items for the map's image layer. */
export function thumbnailsJob(ctx: JobContext, requestId: string, indices: number[], maxSide = 32) {
  const t = thumbnailPixels(needDataset(ctx.state), indices, maxSide);
  ctx.emit({ type: 'thumbnails', requestId, indices, ...t, pixels: bytesToBase64(t.pixels) });
}
