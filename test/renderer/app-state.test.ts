import { describe, expect, it } from 'vitest';

import { type DatasetSource, decodeI32, encodeI32 } from '../../src-main/protocol.js';
import { AppState } from '../../src-renderer/app-state.svelte.js';
import { EngineClient } from '../../src-renderer/engine-client.js';
import { datasetInfo, fakeEngine, projectionEvent, tick, trainedEvent } from './fake-engine.js';

const MNIST = (n: number) => ({ kind: 'mnist' as const, limit: n });
const FOLDER = { kind: 'folder' as const, path: '/data/shapes' };

function page() {
  const engine = fakeEngine();
  const downloads: { name: string; blob: Blob }[] = [];
  const app = new AppState(new EngineClient(engine.api), (blob, name) => downloads.push({ blob, name }));
  return { engine, app, downloads };
}

/** Answers the page's load command with a dataset of n items, and the map of its pixels that follows. */
async function answerLoad(engine: ReturnType<typeof fakeEngine>, n: number, source: DatasetSource = MNIST(n)) {
  const load = await engine.last('loadDataset');
  const projects = engine.count('project');
  engine.emit({ type: 'datasetLoaded', jobId: load.jobId, info: datasetInfo(n, source) });
  const map = await engine.last('project');
  expect(engine.count('project')).toBe(projects + 1);
  expect(map.params).toEqual({ method: 'pca', input: 'pixels' });
  engine.emit(projectionEvent(map.jobId, n, { method: 'pca', input: 'pixels', kl: undefined }));
}

/** Runs Train & project to the end on MNIST(n): load (when asked), train, one streamed frame, the final frame. */
async function trainAndProject(engine: ReturnType<typeof fakeEngine>, app: AppState, n: number) {
  app.settings.subset = n;
  const done = app.trainAndProject();
  if (!app.settings.matches(app.dataset?.info ?? null)) await answerLoad(engine, n);
  const train = await engine.last('train');
  engine.emit({ type: 'epoch', jobId: train.jobId, log: { epoch: 1, loss: 0.3, seconds: 0.1 } });
  engine.emit(trainedEvent(train.jobId, n));
  const project = await engine.last('project');
  engine.emit(projectionEvent(project.jobId, n, { final: false, iteration: 50, metrics: undefined }));
  engine.emit(projectionEvent(project.jobId, n));
  await done;
}

describe('the page state chain', () => {
  it('holds a loaded dataset with nothing trained, drawn as the map of its pixels', async () => {
    const { engine, app } = page();
    expect(engine.sent[0]).toEqual({ type: 'hello' });
    const done = app.loadDefault();
    expect(app.busy).toBe(true);
    await answerLoad(engine, 300);
    await done;
    expect(app.busy).toBe(false);
    expect(app.dataset?.n).toBe(300);
    expect(app.labels.length).toBe(300);
    expect(app.trained).toBeNull();
    expect(app.projection?.input).toBe(app.dataset);
    expect(app.projection?.of).toBe('pixels');
    expect(app.positions?.length).toBe(600);
    expect(app.epochLogs).toEqual([]);
    expect(app.canReproject).toBe(false);
    expect(app.style?.colors.length).toBe(900);
  });

  it('trains and projects: the projection knows the model, the model knows the dataset', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    const train = engine.sent.find((c) => c.type === 'train');
    // No field touched: the default kind, and its own epochs (wide: 1).
    expect(train).toMatchObject({ params: { model: 'wide' } });
    expect(train?.type === 'train' && 'epochs' in train.params).toBe(false);
    expect(app.trained?.dataset).toBe(app.dataset);
    expect(app.projection?.input).toBe(app.trained);
    expect(app.projection?.final).toBe(true);
    expect(app.positions?.length).toBe(600);
    expect(app.meanError).toBe(0.12);
    expect(app.epochLogs.length).toBe(1);
    expect(app.engineMethod).toBe('tsne');
    expect(app.canReproject).toBe(true);
    expect(Object.isFrozen(app.projection)).toBe(true);
  });

  it('shows the streamed frames of a projection while it runs', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 100);
    const done = app.reproject();
    const project = await engine.last('project');
    engine.emit(projectionEvent(project.jobId, 100, { final: false, iteration: 10, kl: 3 }));
    expect(app.projection?.final).toBe(false);
    expect(app.projection?.iteration).toBe(10);
    expect(app.busy).toBe(true);
    engine.emit(projectionEvent(project.jobId, 100, { iteration: 500 }));
    await done;
    expect(app.projection?.final).toBe(true);
    expect(app.busy).toBe(false);
  });

  it('drops the map, loss, metrics and model when another dataset loads (the issue-12 walk)', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    // A selection made on the old map (its thumbnails never come).
    void app.select(Int32Array.from([1, 2, 3]));
    expect(app.view.selection.length).toBe(3);
    app.settings.sourceKind = 'folder';
    app.settings.folderPath = FOLDER.path;
    const done = app.loadDefault();
    await answerLoad(engine, 1000, FOLDER);
    await done;
    expect(app.dataset?.n).toBe(1000);
    expect(app.trained).toBeNull();
    // The folder's own map of its pixels, nothing of MNIST's.
    expect(app.projection?.input).toBe(app.dataset);
    expect(app.positions?.length).toBe(2000);
    expect(app.epochLogs).toEqual([]);
    expect(app.meanError).toBeNull();
    expect(app.errors).toBeNull();
    expect(app.clusters).toBeNull();
    expect(app.engineMethod).toBe('pca');
    expect(app.canReproject).toBe(false);
    expect(app.view.selection.length).toBe(0);
    expect(app.colorBy).toBe('label');
    expect(app.style?.colors.length).toBe(3000);
  });

  it('loads again when the subset size changes, which drops the model trained on the old subset', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    app.settings.subset = 500;
    expect(app.settings.matches(app.dataset!.info)).toBe(false);
    const done = app.trainAndProject();
    await answerLoad(engine, 500);
    await tick();
    expect(app.dataset?.n).toBe(500);
    expect(app.projection?.input).toBe(app.dataset);
    expect(app.positions?.length).toBe(1000);
    expect(app.meanError).toBeNull();
    expect(app.lossModel).toBe('wide');
    expect(app.epochLogs).toEqual([]);
    app.cancel();
    const train = await engine.last('train');
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: train.jobId });
    engine.emit({ type: 'error', jobId: train.jobId, message: 'cancelled before the first epoch' });
    await done;
    expect(app.busy).toBe(false);
    expect(app.trained).toBeNull();
  });

  it('a new training run drops the old model and the projections of its codes at once', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 200);
    const old = app.trained!;
    const done = app.trainAndProject();
    const train = await engine.last('train');
    expect(app.trained).toBeNull();
    // The map of the old codes is gone; the dataset's map of its pixels shows meanwhile.
    expect(app.projection?.of).toBe('pixels');
    expect(app.canReproject).toBe(false);
    engine.emit({ type: 'epoch', jobId: train.jobId, log: { epoch: 1, loss: 0.2, seconds: 0.1 } });
    expect(app.epochLogs.map((l) => l.loss)).toEqual([0.2]);
    engine.emit(trainedEvent(train.jobId, 200, { meanError: 0.08 }));
    const project = await engine.last('project');
    engine.emit(projectionEvent(project.jobId, 200));
    await done;
    expect(app.trained).not.toBe(old);
    expect(app.meanError).toBe(0.08);
    expect(app.projection?.input).toBe(app.trained);
    // A frame that reaches the old model's record is not on the page.
    old.project('main', projectionEvent('late', 200) as never, null);
    expect(app.projection?.input).toBe(app.trained);
  });

  it('keeps what a cancelled training and a cancelled projection had so far', async () => {
    const { engine, app } = page();
    app.settings.subset = 100;
    const done = app.trainAndProject();
    await answerLoad(engine, 100);
    const train = await engine.last('train');
    app.cancel();
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: train.jobId });
    engine.emit(trainedEvent(train.jobId, 100, { cancelled: true }));
    const project = await engine.last('project');
    app.cancel();
    expect(engine.sent.at(-1)).toEqual({ type: 'cancel', jobId: project.jobId });
    engine.emit(projectionEvent(project.jobId, 100, { cancelled: true, iteration: 120 }));
    await done;
    expect(app.busy).toBe(false);
    expect(app.trained?.cancelled).toBe(true);
    expect(app.positions?.length).toBe(200);
    expect(app.messages.map((m) => m.text).join('\n')).toMatch(
      /training cancelled after 1 epochs[\s\S]*cancelled at iteration 120/,
    );
  });

  it('shows a failed training once and leaves nothing trained', async () => {
    const { engine, app } = page();
    app.settings.subset = 100;
    const done = app.trainAndProject();
    await answerLoad(engine, 100);
    const train = await engine.last('train');
    engine.emit({ type: 'error', jobId: train.jobId, message: 'out of memory' });
    await done;
    expect(app.busy).toBe(false);
    expect(app.dataset?.training).toBeNull();
    expect(app.trained).toBeNull();
    expect(app.messages).toEqual([{ level: 'error', text: 'out of memory' }]);
  });

  it('drops the whole chain when the engine restarts, ends the job, and says how to go on', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    const done = app.trainAndProject();
    await engine.last('train');
    const hellos = engine.count('hello');
    engine.emit({ type: 'engineRestarted', message: 'the engine stopped (exit code 134) and was restarted' });
    await done;
    expect(app.busy).toBe(false);
    expect(app.dataset).toBeNull();
    expect(app.trained).toBeNull();
    expect(app.positions).toBeNull();
    expect(app.epochLogs).toEqual([]);
    expect(app.canReproject).toBe(false);
    expect(app.messages[0]).toEqual({
      level: 'error',
      text: 'the engine stopped (exit code 134) and was restarted',
    });
    expect(app.messages).toHaveLength(2);
    expect(engine.count('hello')).toBe(hellos + 1);
    expect(app.restartNotice).toBe('the engine stopped (exit code 134) and was restarted');
    // Nothing loads by itself (the load could be what killed the engine); the next click loads again.
    expect(engine.count('loadDataset')).toBe(1);
    await trainAndProject(engine, app, 300);
    expect(engine.count('loadDataset')).toBe(2);
    expect(app.restartNotice).toBeNull();
    expect(app.positions?.length).toBe(600);
  });

  it('drops the model and its maps, keeping the dataset, when the engine lost the model', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    const dataset = app.dataset;
    engine.emit({
      type: 'modelLost',
      message: 'TensorFlow.js (wasm) failed and was restarted; the trained model was lost',
    });
    expect(app.dataset).toBe(dataset);
    expect(app.trained).toBeNull();
    expect(app.projection?.of).toBe('pixels');
    expect(app.canReproject).toBe(false);
    expect(app.messages.at(-1)).toMatchObject({ level: 'error', text: expect.stringMatching(/model was lost/) });
  });

  it('replaces the chain with a reopened session, busy until the engine says it is open', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 300);
    const old = app.dataset;
    let jobId = '';
    const done = app.openSession(async (id) => {
      jobId = id;
    });
    await tick();
    expect(app.busy).toBe(true);
    engine.emit({ type: 'datasetLoaded', jobId, info: datasetInfo(120, FOLDER) });
    expect(app.positions).toBeNull();
    engine.emit(trainedEvent(jobId, 120, { model: 'conv', meanError: 0.05 }));
    engine.emit(projectionEvent(jobId, 120, { method: 'umap' }));
    expect(app.busy).toBe(true);
    engine.emit({ type: 'sessionOpened', jobId, path: 'shapes.aex', view: null });
    await done;
    expect(app.busy).toBe(false);
    expect(app.dataset).not.toBe(old);
    expect(app.dataset?.n).toBe(120);
    expect(app.trainedModel).toBe('conv');
    expect(app.projection?.input).toBe(app.trained);
    expect(app.positions?.length).toBe(240);
    expect(app.engineMethod).toBe('umap');
    expect(app.openedSession).toMatchObject({ name: 'shapes.aex', seq: 1 });
  });

  it('fails a session upload that never reached the engine, leaving the map as it was', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 100);
    const before = app.projection;
    await app.openSession(async () => {
      throw new Error('upload refused: the file is larger than 2 GB');
    });
    expect(app.busy).toBe(false);
    expect(app.projection).toBe(before);
    expect(app.messages.at(-1)).toEqual({ level: 'error', text: 'upload refused: the file is larger than 2 GB' });
  });

  it('puts k-means on the record it ran on and forgets it with that record', async () => {
    const { engine, app } = page();
    const loaded = app.loadDefault();
    await answerLoad(engine, 100);
    await loaded;
    const clustering = app.cluster();
    const c = await engine.last('cluster');
    const assignments = encodeI32(Int32Array.from({ length: 100 }, (_, i) => i % 3));
    engine.emit({
      type: 'clusters',
      jobId: c.jobId,
      k: 3,
      assignments,
      sizes: [34, 33, 33],
      input: 'pixels',
      seconds: 0.1,
    });
    await clustering;
    expect(app.clusters?.input).toBe('pixels');
    expect(app.colorBy).toBe('cluster');
    app.toggleClass(1);
    expect([...app.hiddenClusters]).toEqual([1]);
    expect(app.visibleCount).toBe(67);
    await trainAndProject(engine, app, 100);
    // Trained: the clusters shown are the codes' (none yet), not the pixels'.
    expect(app.clusters).toBeNull();
    expect(app.colorBy).toBe('label');
  });

  it('forgets the selection, pinned card and search of a dataset once another one loads', async () => {
    const { engine, app } = page();
    await trainAndProject(engine, app, 100);
    void app.select(Int32Array.from([4, 5]));
    app.pin(4);
    expect(app.view.selection.length).toBe(2);
    expect(app.view.pinned).toBe(4);
    const item = await engine.last('getItem');
    engine.emit({
      type: 'item',
      requestId: item.requestId,
      index: 4,
      label: 4,
      height: 1,
      width: 1,
      channels: 1,
      original: 'AA==',
    });
    await tick();
    expect(app.view.item?.index).toBe(4);
    // Retraining: the card showed the old model's reconstruction, so it goes; the points stay selected.
    const retrain = app.trainAndProject();
    await engine.last('train');
    expect(app.view.item).toBeNull();
    expect(app.view.selection.length).toBe(2);
    app.cancel();
    engine.emit({ type: 'error', jobId: (await engine.last('train')).jobId, message: 'cancelled' });
    await retrain;
    app.settings.subset = 200;
    const done = app.loadDefault();
    await answerLoad(engine, 200);
    await done;
    expect(app.view.selection.length).toBe(0);
    expect(app.view.pinned).toBe(-1);
    expect(app.view.item).toBeNull();
  });

  it('exports only the CSV columns whose data exists, and downloads what the engine wrote', async () => {
    const { engine, app, downloads } = page();
    await trainAndProject(engine, app, 100);
    app.settings.csvColumns = ['error', 'cluster'];
    const done = app.exportCsv(Int32Array.from([3, 7]));
    const c = await engine.last('exportCsv');
    expect(c.columns).toEqual(['error']);
    const rows = c.rows as unknown;
    expect(typeof rows === 'string' ? [...decodeI32(rows)] : rows).toEqual([3, 7]);
    engine.emit({ type: 'csv', requestId: c.requestId, text: 'index,label,x,y,error\n', rows: 2 });
    await done;
    expect(downloads.map((d) => d.name)).toEqual(['selection.csv']);
    expect(app.lastExport).toBe('downloaded selection.csv (2 rows)');
  });

  it('clamps the perplexity for small datasets and says so', () => {
    const { app } = page();
    app.settings.perplexity = 30;
    expect(app.settings.projectParams('tsne', 31)).toEqual({
      params: { method: 'tsne', perplexity: 10, input: 'codes' },
      note: 'perplexity 30 is too large for 31 points; using 10',
    });
    expect(app.settings.projectParams('pca', 31)).toEqual({ params: { method: 'pca', input: 'codes' } });
  });
});
