import { describe, expect, it } from 'vitest';

import type { Dataset } from '../../src-main/engine/datasets/types.js';
import {
  type Clusters,
  EMPTY,
  type Input,
  inputMatrix,
  type LoadedDataset,
  type Projection,
  sessionState,
  type Trained,
  withClusters,
  withDataset,
  withoutTrained,
  withProjection,
  withTrained,
} from '../../src-main/engine/state.js';
import type { TrainedAutoencoder } from '../../src-main/engine/training/train.js';

function loaded(n = 3): LoadedDataset {
  const ds = { n, height: 1, width: 2, channels: 1, pixels: Uint8Array.from({ length: 2 * n }, (_, i) => i * 51) };
  return { kind: 'dataset', dataset: ds as unknown as Dataset, source: { kind: 'mnist', limit: n } };
}

function trained(on: LoadedDataset): Trained {
  const model = { kind: 'simple', codeSize: 1 } as unknown as TrainedAutoencoder;
  const n = on.dataset.n;
  const codes = Float32Array.from({ length: n }, (_, i) => i);
  return {
    kind: 'trained',
    loaded: on,
    model,
    codes,
    errors: new Float32Array(n),
    params: { model: 'simple' },
    epochs: [],
    meanError: 0,
  };
}

const projection = (input: Input): Projection => ({
  kind: 'projection',
  input,
  method: 'pca',
  params: null,
  positions: new Float32Array(6),
  metrics: null,
});
const clusters = (input: Input): Clusters => ({ kind: 'clusters', input, assignments: new Int32Array(3), sizes: [3] });

describe('the engine state chain', () => {
  it('starts a new chain on a new dataset: no model, map or clusters of the old one survive', () => {
    const a = loaded();
    const t = trained(a);
    let s = withTrained(withDataset(a), t);
    s = withClusters(withProjection(s, projection(t)), clusters(t));
    expect(s).toMatchObject({ loaded: a, trained: t });
    // withDataset takes no previous state at all: nothing can be carried over by mistake.
    const b = loaded();
    expect(withDataset(b)).toEqual({ ...EMPTY, loaded: b });
  });

  it('drops the projection of the old codes and all clusters on a new model, and keeps a map of the pixels', () => {
    const a = loaded();
    const t1 = trained(a);
    const ofCodes = withClusters(withProjection(withTrained(withDataset(a), t1), projection(t1)), clusters(t1));
    const t2 = trained(a);
    expect(withTrained(ofCodes, t2)).toEqual({ loaded: a, trained: t2, projection: null, clusters: null });
    const pixels = projection(a);
    const ofPixels = withClusters(withProjection(withTrained(withDataset(a), t1), pixels), clusters(a));
    expect(withTrained(ofPixels, t2)).toEqual({ loaded: a, trained: t2, projection: pixels, clusters: null });
    expect(withoutTrained(ofPixels)).toEqual({ loaded: a, trained: null, projection: pixels, clusters: null });
  });

  it('takes in no result whose input is no longer current', () => {
    const a = loaded();
    const t = trained(a);
    const s = withDataset(loaded());
    expect(withTrained(s, t)).toBe(s);
    expect(withProjection(s, projection(a))).toBe(s);
    expect(withProjection(s, projection(t))).toBe(s);
    expect(withClusters(s, clusters(t))).toBe(s);
    // The codes of a replaced model are not current either.
    const s2 = withTrained(withDataset(a), trained(a));
    expect(withProjection(s2, projection(t))).toBe(s2);
  });

  it('builds an opened session as one chain, each record referencing the one before', () => {
    const a = loaded();
    const t = trained(a);
    const p = projection(t);
    const s = sessionState(a, t, p);
    expect(s).toEqual({ loaded: a, trained: t, projection: p, clusters: null });
    expect(s.projection!.input).toBe(s.trained);
    expect(s.trained!.loaded).toBe(s.loaded);
  });

  it('freezes every state so none is edited in place', () => {
    const s = withDataset(loaded());
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(withTrained(s, trained(s.loaded!)))).toBe(true);
  });

  it('gives the codes of a model, or the pixels in [0, 1], as the matrix of an input', () => {
    const a = loaded();
    expect(inputMatrix(trained(a))).toEqual({ data: Float32Array.of(0, 1, 2), d: 1 });
    const px = inputMatrix(a);
    expect(px.d).toBe(2);
    expect(px.data).toEqual(Float32Array.from([0, 0.2, 0.4, 0.6, 0.8, 1]));
  });
});
