import { describe, expect, it } from 'vitest';

import { encodeI32 } from '../../../src-main/protocol.js';
import { ClustersRecord } from '../../../src-renderer/state/clusters.js';
import { DatasetRecord } from '../../../src-renderer/state/dataset.svelte.js';
import { MapViewState } from '../../../src-renderer/state/map-view.svelte.js';
import { datasetInfo } from '../fake-engine.js';

describe('the map view state', () => {
  it('reads as empty once another dataset is the loaded one, and again when there is none', () => {
    let current: DatasetRecord | null = new DatasetRecord(datasetInfo(50, { kind: 'mnist', limit: 50 }));
    const view = new MapViewState(() => current);
    view.selection = Int32Array.from([1, 2]);
    view.pinned = 7;
    view.hoverIndex = 3;
    view.flyTo(7);
    view.searchResults = { query: '7', indices: [7] };
    expect([...view.selection]).toEqual([1, 2]);
    expect(view.shown).toBe(7);
    current = new DatasetRecord(datasetInfo(80, { kind: 'mnist', limit: 80 }));
    expect(view.selection.length).toBe(0);
    expect(view.pinned).toBe(-1);
    expect(view.hoverIndex).toBe(-1);
    expect(view.shown).toBe(-1);
    expect(view.focus).toBeNull();
    expect(view.searchResults).toBeNull();
    current = null;
    view.pinned = 2;
    expect(view.pinned).toBe(-1);
  });

  it('counts a fly-to request again for the same point', () => {
    const ds = new DatasetRecord(datasetInfo(10, { kind: 'mnist', limit: 10 }));
    const view = new MapViewState(() => ds);
    view.flyTo(4);
    const first = view.focus!.seq;
    view.flyTo(4);
    expect(view.focus!.seq).toBe(first + 1);
  });
});

describe('the clusters record', () => {
  it('hides clusters by replacement, keeping the assignments and counts', () => {
    const c = new ClustersRecord({
      assignments: encodeI32(Int32Array.from([0, 1, 1, 2, 2, 2])),
      sizes: [1, 2, 3],
      input: 'codes',
      seconds: 0.1,
    });
    const hid = c.withHidden(new Set([2]));
    expect(hid).not.toBe(c);
    expect(Object.isFrozen(hid)).toBe(true);
    expect(hid instanceof ClustersRecord).toBe(true);
    expect(hid.counts).toEqual([1, 2, 3]);
    expect([...hid.hidden]).toEqual([2]);
    expect([...c.hidden]).toEqual([]);
  });
});
