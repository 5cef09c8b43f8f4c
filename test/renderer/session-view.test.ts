import { describe, expect, it } from 'vitest';

import { applyView, captureView, type ViewCamera, type ViewHost } from '../../src-renderer/session-view.js';

const SETTINGS = {
  sourceKind: 'mnist',
  folderPath: '',
  subset: 5000,
  model: 'deep',
  epochs: 10,
  batchSize: null,
  codeSize: null,
  learningRate: null,
  perplexity: 30,
  method: 'tsne',
  kmeansK: 10,
};

/** The fields of AppState the view touches, as a plain object (no engine behind it). */
function fakeApp(over: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  const app = {
    settings: { ...SETTINGS, ...settings },
    dataset: { n: 600, info: { name: 'MNIST', source: { kind: 'mnist', limit: 600 } } },
    trainedModel: 'conv',
    colorBy: 'label',
    hidden: new Set<number>(),
    hiddenClusters: new Set<number>(),
    clusters: null as null | { sizes: number[] },
    errors: new Float32Array(600),
    clustered: 0,
    async cluster() {
      this.clustered++;
      this.clusters = { sizes: new Array(this.settings.kmeansK).fill(1) };
      this.hiddenClusters = new Set();
    },
    ...over,
  };
  return app;
}

function fakePlot() {
  const calls: unknown[] = [];
  return {
    calls,
    followsFit: false,
    currentView: { cx: 1, cy: -2, scale: 0.05 },
    setView: (v: unknown) => calls.push(['setView', v]),
    resetView: () => calls.push(['resetView']),
  };
}

describe('session view state', () => {
  it('round-trips the camera, colouring, hidden classes, clusters and hyper-parameters', async () => {
    const from = fakeApp(
      {
        colorBy: 'cluster',
        hidden: new Set([2, 5]),
        hiddenClusters: new Set([1]),
        clusters: { sizes: [5, 5, 5, 5] },
      },
      { epochs: 3, batchSize: 32, learningRate: 0.002, perplexity: 12, method: 'umap', kmeansK: 4 },
    );
    const view = JSON.parse(
      JSON.stringify(captureView(from as unknown as ViewHost, fakePlot() as unknown as ViewCamera)),
    );
    const to = fakeApp();
    const plot = fakePlot();
    await applyView(to as unknown as ViewHost, plot as unknown as ViewCamera, view);
    expect(to.settings).toMatchObject({
      epochs: 3,
      batchSize: 32,
      learningRate: 0.002,
      perplexity: 12,
      method: 'umap',
    });
    expect(to.settings.subset).toBe(600);
    expect([...to.hidden]).toEqual([2, 5]);
    expect(to.clustered).toBe(1);
    expect(to.settings.kmeansK).toBe(4);
    expect([...to.hiddenClusters]).toEqual([1]);
    expect(to.colorBy).toBe('cluster');
    expect(plot.calls).toEqual([['setView', { cx: 1, cy: -2, scale: 0.05 }]]);
  });

  it('keeps the page as it is for missing or bad fields, and fits the view', async () => {
    for (const bad of [
      null,
      {},
      { camera: { cx: 'a', cy: 0, scale: -1 }, hidden: 'all', params: { model: 'bogus', epochs: -4, method: 'x' } },
      { params: null, colorBy: 'cluster', clusters: 'many' },
    ]) {
      const app = fakeApp();
      const plot = fakePlot();
      await applyView(app as unknown as ViewHost, plot as unknown as ViewCamera, bad as never);
      expect(app.settings).toMatchObject({ epochs: 10, method: 'tsne', model: 'conv' });
      expect(app.colorBy).toBe('label');
      expect(app.clustered).toBe(0);
      expect(plot.calls).toEqual([['resetView']]);
    }
  });

  it('saves a fitted view as null, so it refits on another window size', () => {
    const plot = { ...fakePlot(), followsFit: true };
    expect(captureView(fakeApp() as unknown as ViewHost, plot as unknown as ViewCamera).camera).toBeNull();
  });
});
