import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import {
  decodeSession,
  encodeSession,
  readSession,
  type SessionData,
  SessionError,
} from '../../../src-main/engine/export/session.js';
import { base64ToBytes, decodeF32, type EngineEvent } from '../../../src-main/protocol.js';

function sample(): SessionData {
  return {
    dataset: {
      source: { kind: 'mnist', limit: 3 },
      name: 'MNIST',
      n: 3,
      height: 28,
      width: 28,
      channels: 1,
      fingerprint: 'ab'.repeat(32),
    },
    model: {
      kind: 'deep',
      codeSize: 2,
      params: { model: 'deep', epochs: 1 },
      epochs: [{ epoch: 1, loss: 0.3, seconds: 1 }],
      meanError: 0.25,
      weights: [{ shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
    },
    codes: Float32Array.of(0.5, 1, 1.5, 2, 2.5, 3),
    errors: Float32Array.of(0.1, 0.2, 0.3),
    projection: {
      method: 'tsne',
      positions: Float32Array.of(1, -1, 2, -2, 3, -3),
      params: { method: 'tsne', perplexity: 5 },
    },
    view: { hidden: [3], zoom: 1.5 },
  };
}

describe('session format', () => {
  it('reads back exactly what it wrote', () => {
    const back = decodeSession(encodeSession(sample()));
    expect(back.dataset).toEqual(sample().dataset);
    expect(back.model!.weights[0].data).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(back.codes).toEqual(sample().codes);
    expect(back.errors).toEqual(sample().errors);
    expect(back.projection).toEqual(sample().projection);
    expect(back.view).toEqual({ hidden: [3], zoom: 1.5 });
  });

  it('refuses a truncated, altered, foreign or padded file with a clear message', () => {
    const good = encodeSession(sample());
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 5), /truncated/],
      [good.subarray(0, 20), /truncated \(its header/],
      [new TextEncoder().encode('index,label,x,y\n0,1,2,3\n'), /not an AE Explorer session file/],
      [Uint8Array.of(...good, 0, 0, 0, 0), /longer than it should be/],
      [
        (() => {
          const b = good.slice();
          b[b.length - 3] ^= 1;
          return b;
        })(),
        /does not match its checksum/,
      ],
      [
        (() => {
          const b = good.slice();
          b[12] = 0x20;
          return b;
        })(),
        /header is not valid JSON/,
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeSession(bytes)).toThrow(SessionError);
      expect(() => decodeSession(bytes)).toThrow(message);
    }
  });
});

describe('sessions in the engine', () => {
  let dir = '';
  const eventsA: EngineEvent[] = [];
  const a = new Engine((e) => eventsA.push(e), { progressIntervalMs: 0 });
  const lastOf = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) =>
    events.filter((e) => e.type === type).at(-1) as Extract<EngineEvent, { type: T }> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aex-session-'));
    await a.handle({ type: 'hello' }); // picks the TF.js backend
    await a.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 200 } });
    await a.handle({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 1, batchSize: 50, codeSize: 8 } });
    await a.handle({ type: 'project', jobId: 'p', params: { method: 'tsne', iterations: 100, perplexity: 10 } });
    expect(lastOf(eventsA, 'projection')?.final).toBe(true);
  });
  afterAll(() => dir && rm(dir, { recursive: true, force: true }));

  it('reopens the same map, codes and reconstructions without retraining', async () => {
    const file = path.join(dir, 'map.aex');
    await a.handle({ type: 'saveSession', requestId: 's', path: file, view: { zoom: 2 } });
    expect(lastOf(eventsA, 'sessionSaved')).toMatchObject({ requestId: 's', path: file });
    await a.handle({ type: 'getItem', requestId: 'i', index: 17 });
    const itemA = lastOf(eventsA, 'item')!;

    const eventsB: EngineEvent[] = [];
    const b = new Engine((e) => eventsB.push(e), { progressIntervalMs: 0 });
    await b.handle({ type: 'hello' });
    eventsB.length = 0;
    await b.handle({ type: 'openSession', jobId: 'o', path: file });
    expect(eventsB.filter((e) => e.type === 'error')).toEqual([]);
    expect(eventsB.map((e) => e.type).filter((t) => t !== 'progress')).toEqual([
      'datasetLoaded',
      'trained',
      'projection',
      'sessionOpened',
    ]);
    expect(lastOf(eventsB, 'sessionOpened')!.view).toEqual({ zoom: 2 });
    expect(decodeF32(lastOf(eventsB, 'projection')!.positions)).toEqual(a.state.projection!.positions);
    expect(b.state.trained!.codes).toEqual(a.state.trained!.codes);
    expect(lastOf(eventsB, 'trained')).toMatchObject({ model: 'deep', codeSize: 8 });
    await b.handle({ type: 'getItem', requestId: 'i', index: 17 });
    const itemB = lastOf(eventsB, 'item')!;
    expect(base64ToBytes(itemB.reconstruction!)).toEqual(base64ToBytes(itemA.reconstruction!));
    expect(itemB.error).toBeCloseTo(itemA.error!, 6);
  });

  it('saves over an existing session atomically, leaving no temporary files', async () => {
    const file = path.join(dir, 'again.aex');
    await writeFile(file, 'old contents');
    await a.handle({ type: 'saveSession', requestId: 's2', path: file });
    expect((await readSession(file)).dataset.n).toBe(200);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('gives a clear error for a corrupt file and changes nothing', async () => {
    const file = path.join(dir, 'map.aex');
    const bytes = await readFile(file);
    const broken = path.join(dir, 'broken.aex');
    await writeFile(broken, bytes.subarray(0, bytes.length - 1000));
    const before = a.state;
    eventsA.length = 0;
    await a.handle({ type: 'openSession', jobId: 'o2', path: broken });
    expect(eventsA).toEqual([
      { type: 'error', jobId: 'o2', message: expect.stringMatching(/broken\.aex: the session file is truncated/) },
    ]);
    expect(a.state).toEqual(before);
    expect(a.state.projection).toBe(before.projection);
  });

  it('reopens the dataset without a model built differently by another version, and says so', async () => {
    const s = await readSession(path.join(dir, 'map.aex'));
    // As an older version's model of the same kind: one weight array fewer.
    s.model!.weights.pop();
    const file = path.join(dir, 'older.aex');
    await writeFile(file, encodeSession(s));
    const eventsC: EngineEvent[] = [];
    const c = new Engine((e) => eventsC.push(e), { progressIntervalMs: 0 });
    await c.handle({ type: 'hello' });
    eventsC.length = 0;
    await c.handle({ type: 'openSession', jobId: 'o4', path: file });
    // The map was of the codes, so it goes with the model rather than pose as a map of the pixels.
    expect(eventsC.map((e) => e.type).filter((t) => t !== 'progress')).toEqual([
      'datasetLoaded',
      'log',
      'sessionOpened',
    ]);
    expect(lastOf(eventsC, 'log')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(
        /older\.aex: reopened the dataset without the model: the stored deep model has \d+ weight arrays .* a version of AE Explorer whose deep model was built differently\. Train again to get a model and its map; the session file is unchanged/,
      ),
    });
    expect(c.state.loaded?.dataset.n).toBe(200);
    expect(c.state.trained).toBeNull();
    expect(c.state.projection).toBeNull();

    // A map of the pixels does not need the model and is kept.
    s.projection!.params = { ...s.projection!.params!, input: 'pixels' };
    await writeFile(file, encodeSession(s));
    eventsC.length = 0;
    await c.handle({ type: 'openSession', jobId: 'o5', path: file });
    expect(eventsC.map((e) => e.type).filter((t) => t !== 'progress')).toEqual([
      'datasetLoaded',
      'projection',
      'log',
      'sessionOpened',
    ]);
    expect(lastOf(eventsC, 'log')!.message).toMatch(/reopened the dataset and the map of its pixels without the model/);
    expect(c.state.projection!.positions).toEqual(s.projection!.positions);
    expect(c.state.trained).toBeNull();
  });

  it('refuses a session whose dataset changed', async () => {
    const s = await readSession(path.join(dir, 'map.aex'));
    s.dataset.fingerprint = '0'.repeat(64);
    const file = path.join(dir, 'other.aex');
    await writeFile(file, encodeSession(s));
    eventsA.length = 0;
    await a.handle({ type: 'openSession', jobId: 'o3', path: file });
    expect(lastOf(eventsA, 'error')?.message).toMatch(/has changed since the session was saved/);
  });
});
