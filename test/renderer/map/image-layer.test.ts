import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { MAX_THUMBNAILS } from '../../../src-main/protocol.js';
import { ATLAS_SLOTS, ImageLayer, type ThumbnailBatch } from '../../../src-renderer/map/image-layer.js';

/** side² points on a square lattice 1 unit apart, centred on the origin. */
function lattice(side: number): Float32Array {
  const p = new Float32Array(2 * side * side);
  for (let i = 0; i < side * side; i++) {
    p[2 * i] = (i % side) - side / 2;
    p[2 * i + 1] = Math.floor(i / side) - side / 2;
  }
  return p;
}

/** A layer on a 1000×800 view, fed by a source that records every request. */
function setup(view = { cx: 0, cy: 0, scale: 1 / 30 }) {
  const requests: { indices: number[]; maxSide: number }[] = [];
  let fail = false;
  const source = async (indices: number[], maxSide: number): Promise<ThumbnailBatch> => {
    requests.push({ indices, maxSide });
    if (fail) throw new Error('item 9999 is out of range');
    const side = maxSide === 16 ? 16 : 28;
    return { indices, height: side, width: side, channels: 1, pixels: new Uint8Array(indices.length * side * side) };
  };
  const layer = new ImageLayer({
    view: () => ({ view, width: 1000, height: 800 }),
    isShown: () => true,
    requestRender: () => {},
  });
  return { layer, requests, source, failNext: () => (fail = true), view };
}

/** Lets the plan's timer fire and the fetches it starts settle. */
async function settle(): Promise<void> {
  for (let k = 0; k < 10; k++) {
    await vi.advanceTimersByTimeAsync(200);
  }
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ImageLayer', () => {
  it('asks for what the view shows in batches of at most MAX_THUMBNAILS, at the planned tile size, once', async () => {
    // 26 px apart: about 1,300 points on screen, each its own image, more than one batch holds.
    const { layer, requests, source } = setup({ cx: 0, cy: 0, scale: 1 / 26 });
    layer.onPositionsChanged(lattice(60));
    layer.setSource(source);
    layer.onRender(1 / 26, 1);
    await settle();
    const s = layer.state;
    expect(s.mode).toBe('items');
    expect(s.tile).toBe(32);
    expect(s.planned).toBeGreaterThan(MAX_THUMBNAILS);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(s.drawn.length).toBe(s.planned);
    expect(requests.every((r) => r.indices.length <= MAX_THUMBNAILS && r.maxSide === 32)).toBe(true);
    expect(requests.flatMap((r) => r.indices).sort((a, b) => a - b)).toEqual([...s.drawn].sort((a, b) => a - b));
    // A new plan of the same view (a pixel ratio a hair off): everything is in the atlas, nothing is asked.
    layer.onRender(1 / 26, 1.0000001);
    await settle();
    expect(requests.flatMap((r) => r.indices)).toHaveLength(s.planned);
  });

  it('empties its atlases for another dataset’s source, draws nothing when turned off, and holds 12 MiB', async () => {
    const { layer, requests, source } = setup();
    layer.onPositionsChanged(lattice(20));
    layer.setSource(source);
    await settle();
    const first = requests.length;
    expect(first).toBeGreaterThan(0);
    const other = (indices: number[], side: number) => source(indices, side);
    layer.setSource(other);
    await settle();
    // The new dataset's items are asked again: its images are other images.
    expect(requests.slice(first).flatMap((r) => r.indices)).toHaveLength(layer.state.planned);
    layer.setEnabled(false);
    await settle();
    expect(layer.state).toMatchObject({ mode: 'none', drawn: [] });
    expect(layer.atlasBytes).toBe(12 * 2 ** 20);
    expect(ATLAS_SLOTS[32]).toBeGreaterThanOrEqual(1500);
  });

  it('stops asking when the engine refuses, and asks again on the next view change', async () => {
    const { layer, requests, source, failNext, view } = setup();
    failNext();
    layer.onPositionsChanged(lattice(20));
    layer.setSource(source);
    await settle();
    expect(requests).toHaveLength(1);
    expect(layer.state.drawn).toEqual([]);
    view.cx = 0.5;
    layer.onRender(1 / 30, 1);
    await settle();
    expect(requests).toHaveLength(2);
  });
});
