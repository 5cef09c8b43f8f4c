import { decodeF32, decodeI32 } from '../../src-main/protocol.js';
import type { EventOf } from '../engine-client.js';

/** One point of the per-batch loss curve: x in epochs (batches done / batches per epoch). */
export interface LossPoint {
  readonly x: number;
  readonly loss: number;
}

/** Points the per-batch curve keeps; past it, neighbouring pairs are averaged (the chart is 250 px wide). */
export const MAX_LOSS_POINTS = 400;

/** The curve with one more point, halved by averaging pairs when it grows past `max` (a new array). */
export function withLossPoint(series: readonly LossPoint[], e: EventOf<'trainLoss'>, max = MAX_LOSS_POINTS) {
  const next = [...series, { x: e.step / Math.max(1, e.stepsPerEpoch), loss: e.loss }];
  if (next.length <= max) return next;
  const half: LossPoint[] = [];
  for (let i = 0; i + 1 < next.length; i += 2)
    half.push({ x: (next[i]!.x + next[i + 1]!.x) / 2, loss: (next[i]!.loss + next[i + 1]!.loss) / 2 });
  if (next.length % 2) half.push(next.at(-1)!);
  return half;
}

/**
 * One live map of a training run: the engine's PCA of the model's codes so
 * far. On large data the engine maps a sample; the other items sit at the
 * centre, hidden (`visible`), and unfold from there when the final map of
 * every item arrives.
 */
export class LiveSnapshot {
  readonly epoch: number;
  readonly endOfEpoch: boolean;
  /** What the engine spent on it, in seconds. */
  readonly seconds: number;
  /** n×2, every item. */
  readonly positions: Float32Array;
  /** 1 for the items this snapshot maps, null when it maps all of them. */
  readonly visible: Uint8Array | null;
  /** Items it maps. */
  readonly mapped: number;

  constructor(e: EventOf<'trainSnapshot'>, n: number) {
    this.epoch = e.epoch;
    this.endOfEpoch = e.endOfEpoch;
    this.seconds = e.seconds;
    const p = decodeF32(e.positions);
    const items = e.items === undefined ? null : decodeI32(e.items);
    if (!items) {
      if (p.length !== 2 * n) throw new Error(`trainSnapshot: ${p.length / 2} positions for ${n} items`);
      this.positions = p;
      this.visible = null;
      this.mapped = n;
      return;
    }
    if (p.length !== 2 * items.length)
      throw new Error(`trainSnapshot: ${p.length / 2} positions for a sample of ${items.length}`);
    this.positions = new Float32Array(2 * n);
    this.visible = new Uint8Array(n);
    for (let k = 0; k < items.length; k++) {
      const i = items[k]!;
      if (!(i >= 0 && i < n)) throw new Error(`trainSnapshot: item ${i} is out of range (the dataset has ${n})`);
      this.positions[2 * i] = p[2 * k]!;
      this.positions[2 * i + 1] = p[2 * k + 1]!;
      this.visible[i] = 1;
    }
    this.mapped = items.length;
  }
}

/** What a training run showed while it ran: its last live map and its per-batch loss curve. */
export interface LiveView {
  readonly snapshot: LiveSnapshot | null;
  readonly losses: readonly LossPoint[];
}
