/** The engine's CSV export with optional columns, on a small MNIST subset and a real (short) training run. */
import { describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { parseCsv } from '../../../src-main/engine/export/csv.js';
import { decodeF32, decodeI32, encodeI32, type EngineEvent } from '../../../src-main/protocol.js';

const events: EngineEvent[] = [];
const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
const last = <T extends EngineEvent['type']>(type: T) =>
  events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }>;

describe('CSV export columns', () => {
  it('exports errors, clusters and codes when they exist, and says what is missing otherwise', async () => {
    await engine.handle({ type: 'hello' });
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 200 } });
    await engine.handle({ type: 'project', jobId: 'p0', params: { method: 'pca', input: 'pixels' } });
    await engine.handle({ type: 'exportCsv', requestId: 'c0', columns: ['error'] });
    expect(last('error')).toMatchObject({ requestId: 'c0', message: expect.stringMatching(/train a model first/) });
    await engine.handle({ type: 'exportCsv', requestId: 'c0b', columns: ['code'] });
    expect(last('error')).toMatchObject({ requestId: 'c0b', message: expect.stringMatching(/train a model first/) });

    // k-means on the pixels, then training: those clusters no longer describe the codes.
    await engine.handle({ type: 'cluster', jobId: 'k0', k: 4 });
    await engine.handle({ type: 'train', jobId: 't', params: { model: 'simple', epochs: 1, codeSize: 8 } });
    await engine.handle({ type: 'project', jobId: 'p1', params: { method: 'pca' } });
    expect(events.filter((e) => e.type === 'error' && (e.jobId === 't' || e.jobId === 'p1'))).toEqual([]);
    await engine.handle({ type: 'exportCsv', requestId: 'c1', columns: ['cluster'] });
    expect(last('error')).toMatchObject({ requestId: 'c1', message: expect.stringMatching(/run k-means first/) });

    await engine.handle({ type: 'cluster', jobId: 'k1', k: 5 });
    const assignments = decodeI32(last('clusters').assignments);
    const errors = decodeF32(last('trained').errors!);
    await engine.handle({
      type: 'exportCsv',
      requestId: 'c2',
      columns: ['error', 'cluster', 'code'],
      rows: encodeI32(Int32Array.from([5, 0])),
    });
    const rows = parseCsv(last('csv').text!);
    expect(rows[0]).toEqual([
      'index',
      'label',
      'x',
      'y',
      'error',
      'cluster',
      ...Array.from({ length: 8 }, (_, k) => `z${k}`),
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['5', '0']);
    expect(Math.fround(Number(rows[1][4]))).toBe(errors[5]);
    expect(Number(rows[1][5])).toBe(assignments[5] + 1);
    expect(rows[1].slice(6).every((z) => Number.isFinite(Number(z)) && z !== '')).toBe(true);
  }, 120_000);

  it('refuses unknown or repeated column names', async () => {
    await engine.handle({ type: 'exportCsv', requestId: 'c3', columns: ['error', 'error'] });
    expect(last('error').message).toMatch(/exportCsv: columns: must not repeat a column/);
    await engine.handle({ type: 'exportCsv', requestId: 'c4', columns: ['pixels'] });
    expect(last('error').message).toMatch(
      /exportCsv: columns.0: Invalid option: expected one of "error"\|"cluster"\|"code"/,
    );
  });
});
