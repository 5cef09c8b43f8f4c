/**
 * The bookkeeping of one texture atlas, without the texture: a fixed number
 * of square slots (so its memory is fixed when it is made), which item each
 * holds, and least-recently-used eviction that never takes a slot the
 * current view draws. The image layer owns one per tile side.
 */

/** Tiles per row of an atlas of `slots`: a power of two near the square root, so 2,048 tiles make a 64×32 grid. */
function defaultColumns(slots: number): number {
  return 2 ** Math.ceil(Math.log2(Math.sqrt(slots)));
}

/** A slot's place in the atlas texture, in pixels from its top-left corner. */
export interface SlotPlace {
  x: number;
  y: number;
}

export class AtlasSlots {
  /** Slots per row of the texture. */
  readonly columns: number;
  /** The texture's width and height in pixels. */
  readonly width: number;
  readonly height: number;
  /** item → slot, oldest use first (a Map keeps insertion order: a use moves the item to the end). */
  private readonly used = new Map<number, number>();
  private readonly free: number[] = [];

  /** `slots` tiles of `tile` pixels in a texture `columns` tiles wide. */
  constructor(
    readonly slots: number,
    readonly tile: number,
    columns = defaultColumns(slots),
  ) {
    if (!(Number.isInteger(slots) && slots > 0))
      throw new Error(`an atlas needs a whole number of slots, not ${slots}`);
    this.columns = columns;
    this.width = columns * tile;
    this.height = Math.ceil(slots / columns) * tile;
    for (let s = slots - 1; s >= 0; s--) this.free.push(s);
  }

  /** The bytes of this atlas's RGBA texture (fixed when it is made). */
  get bytes(): number {
    return this.width * this.height * 4;
  }

  /** Items held now. */
  get size(): number {
    return this.used.size;
  }

  /** The slot holding `item`, or -1. */
  slotOf(item: number): number {
    return this.used.get(item) ?? -1;
  }

  /** Where slot `s` is in the texture. */
  place(s: number): SlotPlace {
    return { x: (s % this.columns) * this.tile, y: Math.floor(s / this.columns) * this.tile };
  }

  /** Marks items as used now (the ones a view draws), so eviction takes others first. */
  touch(items: ArrayLike<number>): void {
    for (let k = 0; k < items.length; k++) {
      const s = this.used.get(items[k]);
      if (s === undefined) continue;
      this.used.delete(items[k]);
      this.used.set(items[k], s);
    }
  }

  /** The items of `wanted` that no slot holds, in order. */
  missing(wanted: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let k = 0; k < wanted.length; k++) if (!this.used.has(wanted[k])) out.push(wanted[k]);
    return out;
  }

  /**
   * A slot for `item`: its own if held, else a free one, else the least
   * recently used one not in `keep` (its item is dropped). -1 when every
   * slot holds an item of `keep`.
   */
  assign(item: number, keep: ReadonlySet<number>): number {
    const held = this.used.get(item);
    if (held !== undefined) {
      this.touch([item]);
      return held;
    }
    let s = this.free.pop();
    if (s === undefined) {
      for (const [old, slot] of this.used) {
        if (keep.has(old)) continue;
        this.used.delete(old);
        s = slot;
        break;
      }
    }
    if (s === undefined) return -1;
    this.used.set(item, s);
    return s;
  }

  /** Forgets every item (another dataset). */
  clear(): void {
    this.used.clear();
    this.free.length = 0;
    for (let s = this.slots - 1; s >= 0; s--) this.free.push(s);
  }
}
