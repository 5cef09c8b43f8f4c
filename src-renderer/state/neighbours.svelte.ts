import { base64ToBytes, NEIGHBORS_DEFAULT_K } from '../../src-main/protocol.js';
import { type EngineClient, EngineGoneError } from '../engine-client.js';
import type { DatasetRecord } from './dataset.svelte.js';
import type { Thumbnails } from './map-view.svelte.js';

/** The pinned point's nearest neighbours in code space, as the engine measured them, with their images. */
export interface NeighbourView {
  index: number;
  /** Where the distances were measured: the model's codes, or the pixels before any model. */
  space: 'codes' | 'pixels';
  indices: number[];
  distances: number[];
  /** Their thumbnails, in the order of `indices` (null until they arrive). */
  thumbnails: Thumbnails | null;
}

/** What an answer is about: the dataset and the model whose codes it measured. */
interface Stamp {
  of: DatasetRecord | null;
  model: unknown;
}

/**
 * The neighbour panel's data: follows the pinned point, asks the engine for
 * its k nearest in code space and their thumbnails, and holds the answer
 * only while the dataset and the model it was measured on are current (a
 * new model has other codes, so other neighbours).
 */
export class NeighboursState {
  readonly k = NEIGHBORS_DEFAULT_K;
  private answer = $state.raw<(Stamp & { value: NeighbourView }) | null>(null);
  /** The point asked about last, with what it was asked on: a later answer for another point is dropped. */
  private asked: (Stamp & { index: number }) | null = null;

  constructor(
    /** The engine's client (a function: the page's may be handed over later). */
    private readonly client: () => EngineClient,
    private readonly current: () => Stamp,
    private readonly onError: (message: string) => void,
  ) {}

  /** The answer for the current dataset and model, or null. */
  get value(): NeighbourView | null {
    const a = this.answer;
    const now = this.current();
    return a && a.of !== null && a.of === now.of && a.model === now.model ? a.value : null;
  }

  /** Shows the neighbours of point `index` (-1: none), asking the engine unless the answer is already there. */
  async follow(index: number): Promise<void> {
    const stamp = this.current();
    if (index < 0 || !stamp.of) {
      this.asked = null;
      return;
    }
    const same = (s: (Stamp & { index: number }) | null) =>
      s !== null && s.index === index && s.of === stamp.of && s.model === stamp.model;
    // Asked already (answered, or on its way): a click elsewhere and back asks again.
    if (same(this.asked)) return;
    const asked = (this.asked = { ...stamp, index });
    try {
      const e = await this.client().neighbors(index, this.k);
      if (this.asked !== asked) return;
      const value: NeighbourView = {
        index,
        space: e.space,
        indices: e.indices,
        distances: e.distances,
        thumbnails: null,
      };
      this.answer = { ...stamp, value };
      if (e.indices.length === 0) return;
      const t = await this.client().getThumbnails(e.indices, 32);
      if (this.asked !== asked) return;
      const thumbnails = { ...t, pixels: base64ToBytes(t.pixels) };
      this.answer = { ...stamp, value: { ...value, thumbnails } };
    } catch (err) {
      if (this.asked === asked) this.asked = null;
      if (!(err instanceof EngineGoneError)) this.onError((err as Error).message);
    }
  }
}
