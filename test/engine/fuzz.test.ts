import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../src-main/engine/engine.js';
import { COMMAND_TYPES, type EngineEvent, parseCommand } from '../../src-main/protocol.js';
import { tempDir } from './datasets/fixtures.js';

const events: EngineEvent[] = [];
const engine = new Engine((e) => events.push(e), { progressIntervalMs: 0 });
const { dir, cleanup } = tempDir('ae-fuzz-');
afterAll(cleanup);

const junk = path.join(dir, 'junk.aex');
// A pipe and (as root) a character device like /dev/zero, made inside the temp folder: the fuzz
// saves and exports onto them too, and must never replace or endlessly read a real one.
const fifo = path.join(dir, 'pipe');
const device = path.join(dir, 'zero');
writeFileSync(junk, 'AEXSESS1 not really');
execFileSync('mkfifo', [fifo]);
try {
  execFileSync('mknod', ['-m', '666', device, 'c', '1', '5'], { stdio: 'ignore' });
} catch {
  // not root: the device case is left out
}
beforeAll(async () => {
  await engine.handle({ type: 'loadDataset', jobId: 'l0', source: { kind: 'mnist', limit: 120 } });
  expect(events.at(-1)?.type).toBe('datasetLoaded');
}, 120_000);

// Paths the fuzz may name: missing, a junk file, a folder, and devices that must never be read without end.
const special = [fifo, ...(existsSync(device) ? [device] : [])];
const paths = fc.constantFrom(path.join(dir, 'missing'), junk, dir, ...special);
const small = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.double({ noNaN: false }), fc.constant(1e9));
const anyValue = fc.oneof(small, fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }));

/** A command of each type, with fields drawn near and past their bounds, sometimes replaced by anything. */
const command = fc
  .record({
    type: fc.constantFrom(...COMMAND_TYPES, 'bogus'),
    jobId: fc.constantFrom('j1', 'j2', ''),
    requestId: fc.constantFrom('r1', 'r2'),
    index: small,
    indices: fc.array(small, { maxLength: 5 }),
    k: small,
    size: small,
    query: fc.string({ maxLength: 6 }),
    path: paths,
    noiseLevel: small,
    params: fc.record({
      model: fc.constantFrom('simple', 'deep', 'conv', 'vae', 'gan'),
      method: fc.constantFrom('tsne', 'pca', 'umap', 'lda'),
      epochs: fc.constantFrom(1, 2, 0, 1e9),
      codeSize: fc.constantFrom(2, 8, 0, 1e7),
      iterations: fc.constantFrom(5, 20, 1e9),
      perplexity: fc.constantFrom(5, 30, -1),
      input: fc.constantFrom('codes', 'pixels', 'x'),
    }),
    source: fc.oneof(
      fc.record({ kind: fc.constant('mnist'), limit: fc.constantFrom(50, 0, 1e12) }),
      fc.record({ kind: fc.constant('folder'), path: paths }),
    ),
    rows: fc.constantFrom('AAAAAA==', 'AQAAAAIAAAA=', '!!', 'AAAAAQ=='),
    columns: fc.constantFrom(['error'], ['code', 'cluster'], ['x']),
  })
  .chain((c) =>
    fc.tuple(fc.constant(c), fc.option(fc.tuple(fc.constantFrom(...Object.keys(c)), anyValue), { freq: 3 })),
  )
  .map(([c, swap]) => (swap ? { ...c, [swap[0]]: swap[1] } : c) as Record<string, unknown>);

/** Runs one untrusted command; cancels it at once if it started a job, so every run is short. */
async function runBounded(raw: Record<string, unknown>): Promise<void> {
  const run = engine.handle(raw);
  if (typeof raw.jobId === 'string') void engine.handle({ type: 'cancel', jobId: raw.jobId });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('engine hung')), 20_000));
  await Promise.race([run, timeout]);
}

describe('Engine.handle, fuzzed', () => {
  it('never throws or hangs on random and mutated commands, answers each, and still trains and projects afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(command, async (raw) => {
        const before = events.length;
        await expect(runBounded(raw)).resolves.toBeUndefined();
        // A refused command is answered with an error naming it; an accepted one answers with something.
        if (!parseCommand(raw).ok) expect(events.at(-1)).toMatchObject({ type: 'error' });
        else if (raw.type !== 'cancel') expect(events.length).toBeGreaterThan(before);
      }),
      { seed: 1111, numRuns: 100 },
    );

    // The engine is fully usable afterwards, whatever the fuzz left loaded.
    events.length = 0;
    await engine.handle({ type: 'loadDataset', jobId: 'l', source: { kind: 'mnist', limit: 200 } });
    await engine.handle({ type: 'train', jobId: 't', params: { model: 'simple', epochs: 1, codeSize: 8 } });
    await engine.handle({ type: 'project', jobId: 'p', params: { method: 'pca' } });
    await engine.handle({ type: 'getItem', requestId: 'i', index: 3 });
    // The jobs' streams (progress, epochs, live map, batch losses, a projection's frames before its
    // final one) aside, one answer per command.
    const stream = new Set(['progress', 'epoch', 'trainSnapshot', 'trainLoss']);
    const types = events
      .filter((e) => !stream.has(e.type) && !(e.type === 'projection' && !e.final))
      .map((e) => e.type);
    expect(types).toEqual(['datasetLoaded', 'trained', 'projection', 'item']);
    // Nothing replaced the pipe or the device.
    for (const p of special) expect(statSync(p).isFile()).toBe(false);
  }, 180_000);

  it('refuses to read a pipe or a device as a session file, and to write a session or CSV over one', async () => {
    const refused = (key: 'jobId' | 'requestId', id: string) =>
      expect(events.at(-1)).toMatchObject({
        type: 'error',
        [key]: id,
        message: expect.stringMatching(/not a regular file/),
      });
    expect(special.length).toBeGreaterThan(0);
    for (const p of special) {
      await engine.handle({ type: 'openSession', jobId: 'o', path: p });
      refused('jobId', 'o');
      await engine.handle({ type: 'saveSession', requestId: 's', path: p });
      refused('requestId', 's');
      await engine.handle({ type: 'exportCsv', requestId: 'c', path: p });
      refused('requestId', 'c');
      expect(statSync(p).isFile()).toBe(false);
    }
  });
});
