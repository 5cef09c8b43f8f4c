/**
 * Issue 11: after refused or failed commands the engine stays fully usable.
 * The contract's schema refuses out-of-range fields at the entrance; these
 * are the commands that pass it and must be refused by the engine itself.
 */
import { describe, expect, it } from 'vitest';

import { Engine } from '../../src-main/engine/engine.js';
import { decodeF32, type EngineEvent } from '../../src-main/protocol.js';

const events: EngineEvent[] = [];
// A 1 MiB model bound, so a model "too big" is one the schema accepts (codeSize 512 on MNIST: 3 MiB).
const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0, maxModelBytes: 2 ** 20 });
const errorOf = (id: string) =>
  events.find((e) => e.type === 'error' && (('jobId' in e && e.jobId === id) || e.requestId === id)) as
    Extract<EngineEvent, { type: 'error' }> | undefined;
const last = <T extends EngineEvent['type']>(type: T) =>
  events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }> | undefined;

describe('the engine after bad commands', () => {
  it('refuses each with a clear message, then loads, trains (no hello first) and projects', async () => {
    const bad: [Parameters<Engine['handle']>[0], string, RegExp][] = [
      [{ type: 'train', jobId: 'b1', params: { model: 'simple', epochs: 1 } }, 'b1', /no dataset is loaded/],
      [{ type: 'project', jobId: 'b2', params: { method: 'tsne' } }, 'b2', /no dataset is loaded/],
      [{ type: 'getItem', requestId: 'b3', index: 0 }, 'b3', /no dataset is loaded/],
      [{ type: 'cluster', jobId: 'b4', k: 3 }, 'b4', /no dataset is loaded/],
      [
        { type: 'loadDataset', jobId: 'b5', source: { kind: 'folder', path: '/nonexistent/ae-explorer' } },
        'b5',
        /nonexistent/,
      ],
    ];
    for (const [cmd, id, message] of bad) {
      await engine.handle(cmd);
      expect(errorOf(id)?.message, id).toMatch(message);
    }

    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 200 } });
    expect(last('datasetLoaded')?.info.n).toBe(200);
    const afterLoad: [Parameters<Engine['handle']>[0], string, RegExp][] = [
      [{ type: 'project', jobId: 'c1', params: { method: 'pca' } }, 'c1', /train a model first/],
      [{ type: 'getItem', requestId: 'c2', index: 200 }, 'c2', /item 200 is out of range \(the dataset has 200\)/],
      [{ type: 'getManifold', requestId: 'c3' }, 'c3', /no model is trained/],
      [{ type: 'exportCsv', requestId: 'c4' }, 'c4', /project the dataset first/],
      [{ type: 'getThumbnails', requestId: 'c5', indices: [0, 999] }, 'c5', /item 999 is out of range/],
      [
        { type: 'train', jobId: 'c6', params: { model: 'simple', epochs: 1, codeSize: 512 } },
        'c6',
        /simple model with codeSize 512 .* the limit is 1 MiB/,
      ],
      // Past any bound: refused by the contract's schema or by the engine, never allocated.
      [{ type: 'train', jobId: 'c7', params: { model: 'simple', epochs: 1, codeSize: 10_000_000 } }, 'c7', /codeSize/],
    ];
    for (const [cmd, id, message] of afterLoad) {
      await engine.handle(cmd);
      const refused =
        errorOf(id) ?? (events.at(-1)?.type === 'error' ? (events.at(-1) as { message: string }) : undefined);
      expect(refused?.message, id).toMatch(message);
    }
    expect(events.some((e) => e.type === 'trained')).toBe(false);

    await engine.handle({ type: 'train', jobId: 't', params: { model: 'simple', epochs: 1, codeSize: 8 } });
    expect(errorOf('t')).toBeUndefined();
    expect(last('trained')).toMatchObject({ jobId: 't', codeSize: 8, cancelled: false });
    await engine.handle({ type: 'project', jobId: 'p', params: { method: 'pca' } });
    expect(errorOf('p')).toBeUndefined();
    const p = last('projection')!;
    expect(p).toMatchObject({ jobId: 'p', final: true });
    expect(decodeF32(p.positions).length).toBe(400);
    await engine.handle({ type: 'getItem', requestId: 'i', index: 3 });
    expect(last('item')?.reconstruction).toBeTruthy();
  }, 120_000);
});
