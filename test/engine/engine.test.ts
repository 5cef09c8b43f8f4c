import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { loadMnist } from '../../src-main/engine/datasets/mnist.js';
import { Engine } from '../../src-main/engine/engine.js';
import { parseCsv } from '../../src-main/engine/export/csv.js';
import { trustworthiness } from '../../src-main/engine/metrics/index.js';
import { base64ToBytes, decodeF32, type EngineEvent } from '../../src-main/protocol.js';

const events: EngineEvent[] = [];
const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });

function last<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }> | undefined {
  return events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }> | undefined;
}

let dir = '';
afterAll(() => dir && rm(dir, { recursive: true, force: true }));

describe('Engine', () => {
  it('says which backend runs', async () => {
    await engine.handle({ type: 'hello' });
    expect(last('ready')?.backend).toMatch(/^(tensorflow|wasm|cpu)( ×2 threads)?$/);
  });

  it('answers a bad command with an error event instead of throwing', async () => {
    await engine.handle({ type: 'train', jobId: 'x', params: { model: 'nope' } });
    expect(last('error')?.message).toMatch(/train: params.model: Invalid option/);
    // A refusal answers the job it refuses, so the page can end that job.
    expect(last('error')?.jobId).toBe('x');
    await engine.handle('garbage');
    expect(last('error')?.message).toMatch(/bad command/);
    await engine.handle({ type: 'project', jobId: 'p0', params: { method: 'tsne' } });
    expect(last('error')).toMatchObject({ jobId: 'p0', message: expect.stringMatching(/no dataset is loaded/) });
  });

  it('loads a folder at the size and in the colours the source asks for, and says what it did', async () => {
    const { put, raw, encode, tempDir } = await import('./datasets/fixtures.js');
    const { dir: folder, cleanup } = tempDir();
    const { dir: cache, cleanup: cleanCache } = tempDir();
    const before = process.env.AE_EXPLORER_CACHE_DIR;
    process.env.AE_EXPLORER_CACHE_DIR = cache;
    try {
      // Colour images of two sizes: by default the most common size (8×8) and RGB would be kept.
      for (let i = 0; i < 3; i++)
        put(
          path.join(folder, 'red', `${i}.png`),
          await encode(
            raw(8, 8, 3, (_x, _y, c) => (c === 0 ? 200 : 0)),
            8,
            8,
            3,
            'png',
          ),
        );
      put(
        path.join(folder, 'red', 'wide.png'),
        await encode(
          raw(16, 8, 3, (_x, _y, c) => (c === 0 ? 200 : 0)),
          16,
          8,
          3,
          'png',
        ),
      );
      put(path.join(folder, 'red', 'notes.txt'), 'not an image');
      const source = { kind: 'folder' as const, path: folder, size: { width: 12, height: 10 }, grayscale: true };
      await engine.handle({ type: 'loadDataset', jobId: 'opts', source });
      const info = last('datasetLoaded')!.info;
      expect(info).toMatchObject({ n: 4, width: 12, height: 10, channels: 1, source });
      expect(info.skipped).toEqual([{ file: 'red/notes.txt', reason: 'not an image file (.txt)' }]);
      expect(info.notes.join('\n')).toMatch(/resized to 12×10/);
      expect(info.notes.join('\n')).toMatch(/one class only/);
      expect(engine.state.loaded!.dataset.pixels.length).toBe(4 * 12 * 10);

      // A session keeps the options: reopened elsewhere, the same 12×10 gray images come back.
      const session = path.join(cache, 'opts.aex');
      await engine.handle({ type: 'saveSession', requestId: 'save-opts', path: session });
      const reopened: EngineEvent[] = [];
      await new Engine((e) => reopened.push(e)).handle({ type: 'openSession', jobId: 'open-opts', path: session });
      expect(reopened.filter((e) => e.type === 'error')).toEqual([]);
      const again = reopened.find((e) => e.type === 'datasetLoaded')!;
      expect(again).toMatchObject({ info: { n: 4, width: 12, height: 10, channels: 1, source } });

      await engine.handle({ type: 'loadDataset', jobId: 'auto', source: { kind: 'folder', path: folder } });
      expect(last('datasetLoaded')!.info).toMatchObject({ n: 4, width: 8, height: 8, channels: 3 });
      await engine.handle({
        type: 'loadDataset',
        jobId: 'bad',
        source: { kind: 'folder', path: folder, size: { width: 0, height: 3 } },
      });
      expect(last('error')).toMatchObject({ message: expect.stringMatching(/source\.size\.width: Too small/) });
    } finally {
      if (before === undefined) delete process.env.AE_EXPLORER_CACHE_DIR;
      else process.env.AE_EXPLORER_CACHE_DIR = before;
      cleanup();
      cleanCache();
    }
  });

  it('loads, trains, projects, shows an item and exports the projection', async () => {
    await engine.handle({ type: 'loadDataset', jobId: 'l1', source: { kind: 'mnist', limit: 300 } });
    const info = last('datasetLoaded')!.info;
    expect(info).toMatchObject({ n: 300, height: 28, width: 28, channels: 1, format: 'idx' });
    expect(info.classCounts.reduce((a, b) => a + b, 0)).toBe(300);

    await engine.handle({ type: 'train', jobId: 't1', params: { model: 'deep', epochs: 2, batchSize: 64 } });
    const trained = last('trained')!;
    expect(trained).toMatchObject({ jobId: 't1', cancelled: false, codeSize: 32 });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(2);
    expect(events.some((e) => e.type === 'progress' && e.progress.stage === 'train' && e.progress.rate! > 0)).toBe(
      true,
    );

    await engine.handle({ type: 'project', jobId: 'p1', params: { method: 'tsne', iterations: 300, perplexity: 20 } });
    const proj = last('projection')!;
    expect(proj.final).toBe(true);
    const pos = decodeF32(proj.positions);
    expect(pos.length).toBe(600);
    expect(pos.every(Number.isFinite)).toBe(true);
    // MNIST codes after two epochs already cluster far better than chance (0.1).
    expect(proj.metrics!.knnAccuracy).toBeGreaterThan(0.3);
    expect(proj.metrics!.trustworthiness).toBeGreaterThan(0.6);
    expect(proj.metrics!.trustworthiness).toBeLessThanOrEqual(1);
    // A map of the codes is measured against the pixels, as the pixels' own map is, so the two compare.
    expect(proj.metrics).toMatchObject({
      trustworthinessOf: 'pixels',
      trustworthinessK: 10,
      trustworthinessSample: 300,
    });
    const ds = await loadMnist(300);
    const pixels = Float32Array.from(ds.pixels, (v) => v / 255);
    expect(proj.metrics!.trustworthiness).toBeCloseTo(trustworthiness(pixels, 784, pos, 2, 300, 10, 1000, 1), 5);

    await engine.handle({ type: 'getItem', requestId: 'r1', index: 7 });
    const item = last('item')!;
    expect(item.index).toBe(7);
    expect(base64ToBytes(item.original).length).toBe(784);
    expect(base64ToBytes(item.reconstruction!).length).toBe(784);
    expect(item.error).toBeGreaterThan(0);

    await engine.handle({ type: 'exportCsv', requestId: 'c1' });
    const rows = parseCsv(last('csv')!.text!);
    expect(rows).toHaveLength(301);
    expect(Math.fround(Number(rows[8][2]))).toBe(pos[14]);

    dir = await mkdtemp(path.join(os.tmpdir(), 'ae-engine-'));
    const file = path.join(dir, 'p.csv');
    await engine.handle({ type: 'exportCsv', requestId: 'c2', path: file });
    expect(last('csv')).toMatchObject({ path: file, rows: 300 });
    expect(parseCsv(await readFile(file, 'utf8'))).toEqual(rows);
  }, 120_000);

  it('projects with PCA as an alternative and reports its metrics and how they were measured', async () => {
    const before = events.length;
    await engine.handle({ type: 'project', jobId: 'pca', params: { method: 'pca', input: 'pixels' } });
    const proj = last('projection')!;
    expect(proj).toMatchObject({ jobId: 'pca', method: 'pca', final: true, input: 'pixels' });
    expect(decodeF32(proj.positions).length).toBe(600);
    expect(proj.metrics!.knnAccuracy).toBeGreaterThan(0.2);
    expect(proj.metrics).toMatchObject({
      knnK: 10,
      knnProtocol: 'in-sample leave-one-out',
      knnLabelled: 300,
      trustworthinessK: 10,
      trustworthinessSample: 300,
      trustworthinessOf: 'pixels',
    });
    // The positions go out before the metrics are measured, so the map does not wait for them.
    const frames = events.slice(before).filter((e) => e.type === 'projection');
    expect(frames.map((e) => e.final)).toEqual([false, true]);
    expect(frames[0].positions).toBe(proj.positions);
  });

  it('projects with UMAP, streaming partial embeddings before the final one', async () => {
    const before = events.length;
    await engine.handle({ type: 'project', jobId: 'umap', params: { method: 'umap', iterations: 60 } });
    const mine = events.slice(before).filter((e) => e.type === 'projection' && e.jobId === 'umap');
    expect(mine.length).toBeGreaterThan(1);
    const final = mine.at(-1) as Extract<EngineEvent, { type: 'projection' }>;
    expect(final).toMatchObject({ method: 'umap', final: true, cancelled: false });
    expect(decodeF32(final.positions).every(Number.isFinite)).toBe(true);
    expect(final.metrics!.knnAccuracy).toBeGreaterThan(0.3);
  }, 60_000);

  it('cancels a running t-SNE within a second and keeps the embedding so far', async () => {
    const run = engine.handle({ type: 'project', jobId: 'p2', params: { method: 'tsne', iterations: 10000 } });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    await engine.handle({ type: 'cancel', jobId: 'p2' });
    await run;
    expect(performance.now() - t0).toBeLessThan(1000);
    const proj = last('projection')!;
    expect(proj).toMatchObject({ jobId: 'p2', final: true, cancelled: true });
    expect(decodeF32(proj.positions).every(Number.isFinite)).toBe(true);
  }, 60_000);

  it('rejects an item index out of range with a clear message', async () => {
    await engine.handle({ type: 'getItem', requestId: 'r2', index: 5000 });
    expect(last('error')).toMatchObject({
      requestId: 'r2',
      message: 'item 5000 is out of range (the dataset has 300)',
    });
  });
});
