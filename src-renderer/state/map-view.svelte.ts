import type { EventOf } from '../engine-client.js';
import type { DatasetRecord } from './dataset.svelte.js';

/** The hover card's content: one item as the engine sent it. */
export type ItemView = EventOf<'item'>;

/** What the map's colours show. */
export type ColorBy = 'label' | 'error' | 'cluster';

/** Small images of some items, as the engine sent them. */
export interface Thumbnails {
  indices: number[];
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** A search's answer. */
export interface SearchResults {
  query: string;
  indices: number[];
  files?: string[];
}

/** A value that holds only while the dataset it was made for is the loaded one. */
interface Stamped<T> {
  of: DatasetRecord | null;
  value: T;
}

const EMPTY = new Int32Array(0);

/**
 * What the user does on the map: hover, the pinned card, the selection and
 * its thumbnails, search results, a fly-to request, the colouring. Each
 * index names a point of one dataset, so each is stamped with the dataset
 * record it was made on and reads as empty once another one is loaded (the
 * card's item also once another model is trained): no list of fields to clear.
 */
export class MapViewState {
  /** The colouring the user picked; the map falls back to labels while its data is missing. */
  colorBy = $state<ColorBy>('label');
  private hoverAt = $state.raw<Stamped<number>>({ of: null, value: -1 });
  private pinnedAt = $state.raw<Stamped<number>>({ of: null, value: -1 });
  /** The card's item also shows the model's reconstruction: it holds only while that model is the trained one. */
  private itemAt = $state.raw<Stamped<ItemView | null> & { model: unknown }>({ of: null, model: null, value: null });
  private selectionAt = $state.raw<Stamped<Int32Array>>({ of: null, value: EMPTY });
  private thumbnailsAt = $state.raw<Stamped<Thumbnails | null>>({ of: null, value: null });
  private searchAt = $state.raw<Stamped<SearchResults | null>>({ of: null, value: null });
  private focusAt = $state.raw<Stamped<{ index: number; seq: number } | null>>({ of: null, value: null });

  constructor(private readonly current: () => DatasetRecord | null) {}

  /** The model trained on the loaded dataset, if any. */
  private model(): unknown {
    return this.current()?.trained ?? null;
  }

  private read<T>(s: Stamped<T>, none: T): T {
    return s.of !== null && s.of === this.current() ? s.value : none;
  }

  private stamp<T>(value: T): Stamped<T> {
    return { of: this.current(), value };
  }

  get hoverIndex(): number {
    return this.read(this.hoverAt, -1);
  }
  set hoverIndex(i: number) {
    this.hoverAt = this.stamp(i);
  }
  get pinned(): number {
    return this.read(this.pinnedAt, -1);
  }
  set pinned(i: number) {
    this.pinnedAt = this.stamp(i);
  }
  /** The item the card shows (the pinned one, else the hovered one), once the engine has sent it. */
  get item(): ItemView | null {
    return this.itemAt.model === this.model() ? this.read(this.itemAt, null) : null;
  }
  set item(v: ItemView | null) {
    this.itemAt = { ...this.stamp(v), model: this.model() };
  }
  /** Selected items (ascending), from a lasso or box. */
  get selection(): Int32Array {
    return this.read(this.selectionAt, EMPTY);
  }
  set selection(v: Int32Array) {
    this.selectionAt = this.stamp(v);
  }
  get thumbnails(): Thumbnails | null {
    return this.read(this.thumbnailsAt, null);
  }
  set thumbnails(v: Thumbnails | null) {
    this.thumbnailsAt = this.stamp(v);
  }
  get searchResults(): SearchResults | null {
    return this.read(this.searchAt, null);
  }
  set searchResults(v: SearchResults | null) {
    this.searchAt = this.stamp(v);
  }
  /** A request for the map to fly to a point; seq makes repeats distinct. */
  get focus(): { index: number; seq: number } | null {
    return this.read(this.focusAt, null);
  }
  /** Asks the map to fly to point i. */
  flyTo(index: number): void {
    this.focusAt = this.stamp({ index, seq: (this.focusAt.value?.seq ?? 0) + 1 });
  }

  /** The point the card is about: the pinned one, else the hovered one (-1: none). */
  get shown(): number {
    return this.pinned >= 0 ? this.pinned : this.hoverIndex;
  }
}
