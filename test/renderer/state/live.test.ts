import { describe, expect, it } from 'vitest';

import { encodeF32, encodeI32, type EngineEvent } from '../../../src-main/protocol.js';
import { AppState } from '../../../src-renderer/app-state.svelte.js';
import { EngineClient } from '../../../src-renderer/engine-client.js';
import { LiveSnapshot, withLossPoint } from '../../../src-renderer/state/live.js';
import { datasetInfo, fakeEngine, projectionEvent, tick, trainedEvent } from '../fake-engine.js';

type Of<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

const snapshot = (jobId: string, epoch: number, positions: Float32Array, items?: Int32Array): Of<'trainSnapshot'> => ({
  type: 'trainSnapshot',
  jobId,
  epoch,
  endOfEpoch: true,
  positions: encodeF32(positions),
  ...(items ? { items: encodeI32(items) } : {}),
  seconds: 0.01,
});

/** A page that loaded MNIST(n) and started Train & project; returns the train command and the workflow. */
async function training(n: number) {
  const engine = fakeEngine();
  const app = new AppState(new EngineClient(engine.api), () => {});
  app.settings.subset = n;
  const done = app.trainAndProject();
  const load = await engine.last('loadDataset');
  engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(n, load.source) });
  // The map of the pixels the page asks for on load.
  const pixels = await engine.last('project');
  engine.emit(projectionEvent(pixels.jobId, n, { method: 'pca', input: 'pixels', kl: undefined }));
  const train = await engine.last('train');
  return { engine, app, train, done };
}

describe('watching the model learn', () => {
  it("draws each snapshot of the run, keeps the last one until the projection's first frame, then the projection", async () => {
    const n = 20;
    const { engine, app, train, done } = await training(n);
    // Until the first live map, the pixels' map.
    expect(app.showsPixels).toBe(true);
    expect(app.liveSnapshot).toBeNull();
    const first = Float32Array.from({ length: 2 * n }, (_, i) => i);
    engine.emit(snapshot(train.jobId, 1, first));
    expect(app.positions).toEqual(first);
    expect(app.liveSnapshot?.epoch).toBe(1);
    expect(app.showsPixels).toBe(false);
    const second = first.map((v) => v * 2);
    engine.emit(snapshot(train.jobId, 2, second));
    expect(app.positions).toEqual(second);
    // The model arrives: the map keeps the live map while t-SNE starts.
    engine.emit(trainedEvent(train.jobId, n));
    expect(app.trained).not.toBeNull();
    expect(app.positions).toEqual(second);
    const project = await engine.last('project');
    engine.emit(projectionEvent(project.jobId, n, { final: false, iteration: 50, metrics: undefined }));
    expect(app.liveSnapshot).toBeNull();
    expect(app.positions).not.toEqual(second);
    expect(app.positions?.length).toBe(2 * n);
    engine.emit(projectionEvent(project.jobId, n));
    await done;
  });

  it('collects the per-batch loss of the run and keeps it with the model', async () => {
    const n = 20;
    const { engine, app, train, done } = await training(n);
    for (let step = 1; step <= 6; step++)
      engine.emit({ type: 'trainLoss', jobId: train.jobId, step, stepsPerEpoch: 3, loss: 1 / step });
    expect(app.batchLosses.map((p) => p.x)).toEqual([1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2]);
    expect(app.batchLosses[5]!.loss).toBeCloseTo(1 / 6);
    engine.emit(trainedEvent(train.jobId, n));
    expect(app.batchLosses).toHaveLength(6);
    const project = await engine.last('project');
    engine.emit(projectionEvent(project.jobId, n));
    await done;
    // A new run starts its own curve.
    const again = app.trainAndProject();
    await tick();
    expect(app.batchLosses).toEqual([]);
    app.cancel();
    void again;
  });

  it('hides the items a sampled snapshot does not map', async () => {
    const n = 10;
    const { engine, app, train } = await training(n);
    expect(app.visibleCount).toBe(n);
    engine.emit(snapshot(train.jobId, 1, Float32Array.of(1, 2, 3, 4, 5, 6), Int32Array.of(0, 4, 9)));
    expect(app.visibleCount).toBe(3);
    expect(Array.from(app.style!.visible)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(app.positions!.subarray(8, 10))).toEqual([3, 4]);
    // The final map of every item shows them all.
    engine.emit(snapshot(train.jobId, 2, new Float32Array(2 * n)));
    expect(app.visibleCount).toBe(n);
  });

  it('asks for the shown card again after a snapshot, so it shows the model so far', async () => {
    const n = 10;
    const { engine, app, train } = await training(n);
    engine.emit(snapshot(train.jobId, 1, new Float32Array(2 * n)));
    app.hover(3);
    const ask = await engine.last('getItem');
    engine.emit({
      type: 'item',
      requestId: ask.requestId,
      index: 3,
      label: 3,
      height: 28,
      width: 28,
      channels: 1,
      original: '',
    });
    await tick();
    expect(app.view.item?.index).toBe(3);
    const before = engine.count('getItem');
    engine.emit(snapshot(train.jobId, 2, new Float32Array(2 * n)));
    await tick();
    expect(engine.count('getItem')).toBe(before + 1);
    expect((await engine.last('getItem')).index).toBe(3);
  });

  it('refuses a snapshot whose positions do not fit the dataset, with a message', async () => {
    const { engine, app, train } = await training(10);
    engine.emit(snapshot(train.jobId, 1, new Float32Array(6)));
    expect(app.liveSnapshot).toBeNull();
    expect(app.showsPixels).toBe(true);
    expect(app.messages.at(-1)?.text).toMatch(/trainSnapshot: 3 positions for 10 items/);
  });
});

describe('withLossPoint', () => {
  it('halves the curve by averaging pairs when it grows past its bound', () => {
    let s: ReturnType<typeof withLossPoint> = [];
    for (let step = 1; step <= 9; step++)
      s = withLossPoint(s, { type: 'trainLoss', jobId: 'j', step, stepsPerEpoch: 1, loss: step }, 8);
    expect(s.length).toBeLessThanOrEqual(8);
    expect(s[0]).toEqual({ x: 1.5, loss: 1.5 });
    expect(s.at(-1)).toEqual({ x: 9, loss: 9 });
  });
});

describe('LiveSnapshot', () => {
  it('names a sample item out of range', () => {
    const e = snapshot('j', 1, Float32Array.of(0, 0), Int32Array.of(12));
    expect(() => new LiveSnapshot(e, 10)).toThrow(/item 12 is out of range \(the dataset has 10\)/);
  });
});
