import { decodeI32 } from '../../src-main/protocol.js';
import type { EventOf } from '../engine-client.js';
import { categoryCounts } from '../map/coloring.js';

/**
 * A k-means result, immutable, with the clusters the legend hides: toggling
 * one replaces the record. It belongs to what it was computed on (the
 * trained codes, or the dataset's pixels before any model), so it goes with it.
 */
export class ClustersRecord {
  readonly assignments: Int32Array;
  readonly sizes: number[];
  readonly input: 'codes' | 'pixels';
  readonly seconds: number;
  /** Points per cluster, aligned with cluster ids. */
  readonly counts: number[];

  constructor(
    e: Pick<EventOf<'clusters'>, 'assignments' | 'sizes' | 'input' | 'seconds'>,
    readonly hidden: ReadonlySet<number> = new Set(),
  ) {
    this.assignments = decodeI32(e.assignments);
    this.sizes = e.sizes;
    this.input = e.input;
    this.seconds = e.seconds;
    this.counts = categoryCounts(this.assignments, this.sizes.length);
    Object.freeze(this);
  }

  /** The same clusters with `hidden` hidden. */
  withHidden(hidden: ReadonlySet<number>): ClustersRecord {
    const copy = Object.create(ClustersRecord.prototype) as ClustersRecord;
    return Object.freeze(Object.assign(copy, this, { hidden }));
  }
}
