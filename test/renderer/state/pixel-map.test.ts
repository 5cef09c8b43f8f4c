/**
 * The map of the pixels in the page's record chain: drawn as soon as a
 * dataset loads (PCA), beside the main map on request (t-SNE of PCA-50),
 * shown only while no map of a model's codes is, and gone with its dataset.
 */
import { describe, expect, it } from 'vitest';

import { AppState } from '../../../src-renderer/app-state.svelte.js';
import { EngineClient } from '../../../src-renderer/engine-client.js';
import { projectionName } from '../../../src-renderer/names.js';
import { PIXELS_TSNE } from '../../../src-renderer/state/settings.svelte.js';
import { datasetInfo, fakeEngine, projectionEvent, tick, trainedEvent } from '../fake-engine.js';

type Engine = ReturnType<typeof fakeEngine>;

function page() {
  const engine = fakeEngine();
  const app = new AppState(new EngineClient(engine.api), () => {});
  return { engine, app };
}

/** Answers the load, then the PCA of the pixels that follows it (its first frame, then the measured one). */
async function loadWithMap(engine: Engine, app: AppState, n: number): Promise<void> {
  app.settings.subset = n;
  const done = app.loadDefault();
  const load = await engine.last('loadDataset');
  engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(n, { kind: 'mnist', limit: n }) });
  const map = await engine.last('project');
  expect(map.params).toEqual({ method: 'pca', input: 'pixels' });
  engine.emit(projectionEvent(map.jobId, n, { method: 'pca', input: 'pixels', final: false, metrics: undefined }));
  expect(app.showsPixels).toBe(true);
  expect(app.busy).toBe(true);
  engine.emit(projectionEvent(map.jobId, n, { method: 'pca', input: 'pixels', kl: undefined }));
  await done;
}

/** Opens a session and answers its dataset (80 MNIST images); the rest of the session is the caller's to answer. */
async function openSessionOf80(engine: Engine, app: AppState): Promise<{ jobId: string; done: Promise<unknown> }> {
  let jobId = '';
  const done = app.openSession(async (id) => {
    jobId = id;
  });
  await tick();
  engine.emit({ type: 'datasetLoaded', jobId, info: datasetInfo(80, { kind: 'mnist', limit: 80 }) });
  return { jobId, done };
}

/** Trains (the dataset loaded matches) and answers the codes' projection, with `compare` answering what follows. */
async function train(engine: Engine, app: AppState, n: number): Promise<void> {
  const done = app.trainAndProject();
  const t = await engine.last('train');
  engine.emit(trainedEvent(t.jobId, n));
  const p = await engine.last('project');
  expect(p.params.input).toBe('codes');
  engine.emit(projectionEvent(p.jobId, n, { input: 'codes' }));
  await done;
}

describe('the map of the pixels', () => {
  it('is drawn when a dataset loads, busy until measured, and hangs from that dataset', async () => {
    const { engine, app } = page();
    await loadWithMap(engine, app, 200);
    expect(app.busy).toBe(false);
    expect(app.projection).toBe(app.dataset?.pixelMap);
    expect(app.projection?.input).toBe(app.dataset);
    expect(app.projection?.method).toBe('pca');
    expect(app.positions?.length).toBe(400);
    expect(app.engineProjection?.of).toBe('pixels');
    // A dataset of another size: its own map, none of the old one's meanwhile.
    const old = app.dataset!;
    app.settings.subset = 300;
    const done = app.loadDefault();
    const load = await engine.last('loadDataset');
    engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(300, { kind: 'mnist', limit: 300 }) });
    expect(app.dataset).not.toBe(old);
    expect(app.projection).toBeNull();
    expect(app.engineProjection).toBeNull();
    const map = await engine.last('project');
    engine.emit(projectionEvent(map.jobId, 300, { method: 'pca', input: 'pixels' }));
    await done;
    expect(app.positions?.length).toBe(600);
    expect(old.pixelMap?.positions.length).toBe(400);
  });

  it('gives way to the map of the codes, and shows while there is none (training, or a cancelled projection)', async () => {
    const { engine, app } = page();
    await loadWithMap(engine, app, 100);
    const pixels = app.projection;
    const done = app.trainAndProject();
    const t = await engine.last('train');
    expect(app.projection).toBe(pixels);
    engine.emit(trainedEvent(t.jobId, 100));
    const p = await engine.last('project');
    // Trained, no frame of the codes yet: still the pixels.
    expect(app.trained).not.toBeNull();
    expect(app.projection).toBe(pixels);
    engine.emit(projectionEvent(p.jobId, 100, { input: 'codes', final: false, iteration: 10 }));
    expect(app.projection?.input).toBe(app.trained);
    expect(app.showsPixels).toBe(false);
    engine.emit(projectionEvent(p.jobId, 100, { input: 'codes' }));
    await done;
    expect(app.engineProjection?.of).toBe('codes');
    // The model lost: its map goes, the pixels' comes back, and the engine's projection is no longer the codes'.
    engine.emit({ type: 'modelLost', message: 'TensorFlow.js failed and was restarted; the trained model was lost' });
    expect(app.projection).toBe(pixels);
    expect(app.engineProjection).toBeNull();
  });

  it('shows t-SNE of the pixels beside the map before any model, and keeps it across training', async () => {
    const { engine, app } = page();
    await loadWithMap(engine, app, 120);
    const asked = app.setCompare(PIXELS_TSNE);
    const p = await engine.last('project');
    expect(p.params).toEqual({ method: 'tsne', perplexity: 30, input: 'pixels', pcaComponents: 50 });
    expect(app.busy).toBe(true);
    engine.emit(projectionEvent(p.jobId, 120, { input: 'pixels', final: false, iteration: 50, metrics: undefined }));
    expect(app.compareProjection?.final).toBe(false);
    engine.emit(projectionEvent(p.jobId, 120, { input: 'pixels' }));
    await asked;
    const beside = app.compareProjection;
    expect(beside?.input).toBe(app.dataset);
    expect(beside?.of).toBe('pixels');
    expect(projectionName(beside!)).toBe('t-SNE of the pixels (PCA-50)');
    expect(projectionName(app.projection!)).toBe('PCA of the pixels');
    expect(app.comparePositions?.length).toBe(240);
    expect(app.projection?.method).toBe('pca');

    const projects = engine.count('project');
    await train(engine, app, 120);
    // One projection of the codes; the pixels' t-SNE was not run again.
    expect(engine.count('project')).toBe(projects + 1);
    expect(app.projection?.input).toBe(app.trained);
    expect(app.compareProjection).toBe(beside);
    expect(projectionName(app.projection!)).toBe('t-SNE of the codes');

    await app.setCompare('none');
    expect(app.compareProjection).toBeNull();
    await app.setCompare(PIXELS_TSNE);
    expect(app.compareProjection).toBe(beside);
    expect(engine.count('project')).toBe(projects + 1);
    // Another perplexity asks for another map.
    app.settings.perplexity = 20;
    const again = app.setCompare(PIXELS_TSNE);
    const q = await engine.last('project');
    expect(q.params).toMatchObject({ method: 'tsne', perplexity: 20, input: 'pixels' });
    engine.emit(projectionEvent(q.jobId, 120, { input: 'pixels' }));
    await again;
    expect(app.compareProjection).not.toBe(beside);
  });

  it('a map of the codes chosen beside it before training waits for the model', async () => {
    const { engine, app } = page();
    await loadWithMap(engine, app, 100);
    const projects = engine.count('project');
    await app.setCompare('umap');
    await tick();
    expect(engine.count('project')).toBe(projects);
    expect(app.compareProjection).toBeNull();
  });

  it('does not go on to train when Cancel was pressed while the first map was drawn', async () => {
    const { engine, app } = page();
    app.settings.subset = 100;
    const done = app.trainAndProject();
    const load = await engine.last('loadDataset');
    engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(100, { kind: 'mnist', limit: 100 }) });
    const map = await engine.last('project');
    app.cancel();
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: map.jobId });
    // The PCA had finished when the cancel arrived: its map stays, and nothing else runs.
    engine.emit(projectionEvent(map.jobId, 100, { method: 'pca', input: 'pixels' }));
    await done;
    expect(app.busy).toBe(false);
    expect(engine.count('train')).toBe(0);
    expect(app.positions?.length).toBe(200);
  });

  it('says why when the pixels could not be mapped, and trains all the same', async () => {
    const { engine, app } = page();
    app.settings.subset = 100;
    const done = app.trainAndProject();
    const load = await engine.last('loadDataset');
    engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(100, { kind: 'mnist', limit: 100 }) });
    const map = await engine.last('project');
    engine.emit({ type: 'error', jobId: map.jobId, message: 'out of memory' });
    const t = await engine.last('train');
    expect(app.messages).toEqual([{ level: 'warn', text: 'no map of the pixels: out of memory' }]);
    engine.emit(trainedEvent(t.jobId, 100));
    const p = await engine.last('project');
    engine.emit(projectionEvent(p.jobId, 100, { input: 'codes' }));
    await done;
    expect(app.projection?.input).toBe(app.trained);
  });

  it('puts a reopened session’s map of the pixels on the dataset, even with a model', async () => {
    const { engine, app } = page();
    const { jobId, done } = await openSessionOf80(engine, app);
    engine.emit(trainedEvent(jobId, 80));
    engine.emit(projectionEvent(jobId, 80, { method: 'tsne', input: 'pixels' }));
    engine.emit({ type: 'sessionOpened', jobId, path: 'pixels.aex', view: null });
    await done;
    expect(app.dataset?.pixelMap?.method).toBe('tsne');
    expect(app.trained?.projection).toBeNull();
    expect(app.projection).toBe(app.dataset?.pixelMap);
    // It was on the map already: no other map of the pixels was asked for.
    expect(engine.count('project')).toBe(0);
  });

  it('maps the pixels of a reopened session that held no projection', async () => {
    const { engine, app } = page();
    const { jobId, done } = await openSessionOf80(engine, app);
    engine.emit({ type: 'sessionOpened', jobId, path: 'bare.aex', view: null });
    const map = await engine.last('project');
    expect(map.params).toEqual({ method: 'pca', input: 'pixels' });
    engine.emit(projectionEvent(map.jobId, 80, { method: 'pca', input: 'pixels' }));
    await done;
    expect(app.showsPixels).toBe(true);
  });

  it('gives way to a folder loaded while it is computed, but a training run does not', async () => {
    const { engine, app } = page();
    app.settings.subset = 100;
    void app.loadDefault();
    const load = await engine.last('loadDataset');
    engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(100, { kind: 'mnist', limit: 100 }) });
    const map = await engine.last('project');
    const dropped = app.loadFolderPath('/data/shapes');
    await tick();
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: map.jobId });
    engine.emit({ type: 'error', jobId: map.jobId, message: 'project cancelled' });
    const next = await engine.last('loadDataset');
    expect(next.source).toEqual({ kind: 'folder', path: '/data/shapes' });
    const folder = datasetInfo(40, { kind: 'folder', path: '/data/shapes' });
    engine.emit({ type: 'datasetLoaded', jobId: next.jobId, info: folder });
    const folderMap = await engine.last('project');
    engine.emit(projectionEvent(folderMap.jobId, 40, { method: 'pca', input: 'pixels' }));
    await dropped;
    expect(app.messages).toEqual([]);
    expect(app.dataset?.n).toBe(40);
    expect(app.positions?.length).toBe(80);

    // Training: the folder waits, and the page says why.
    const training = app.trainAndProject();
    const t = await engine.last('train');
    await app.loadFolderPath('/data/other');
    expect(engine.count('loadDataset')).toBe(2);
    expect(app.messages.at(-1)?.text).toMatch(/finish or cancel the running job/);
    engine.emit(trainedEvent(t.jobId, 40));
    const p = await engine.last('project');
    engine.emit(projectionEvent(p.jobId, 40, { input: 'codes' }));
    await training;
  });

  it('gives way to a session opened while it is computed', async () => {
    const { engine, app } = page();
    void app.loadDefault();
    const load = await engine.last('loadDataset');
    engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(100, { kind: 'mnist', limit: 100 }) });
    const map = await engine.last('project');
    expect(app.loadWaits).toBe(false);
    let jobId = '';
    const opened = app.openSession(async (id) => {
      jobId = id;
    });
    await tick();
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: map.jobId });
    engine.emit(projectionEvent(map.jobId, 100, { method: 'pca', input: 'pixels' }));
    await tick();
    expect(jobId).not.toBe('');
    engine.emit({ type: 'datasetLoaded', jobId, info: datasetInfo(60, { kind: 'mnist', limit: 60 }) });
    engine.emit(projectionEvent(jobId, 60, { method: 'pca', input: 'pixels' }));
    engine.emit({ type: 'sessionOpened', jobId, path: 's.aex', view: null });
    await opened;
    expect(app.dataset?.n).toBe(60);
    expect(app.positions?.length).toBe(120);
  });
});
