/**
 * Fuzzing the web server's socket: valid commands with fields mutated, random
 * JSON, random strings and bytes, huge and deeply nested values, sent through
 * the real socket handler of a running server whose stand-in engine reports
 * exactly what reached it. Every message is answered, nothing but a parsed,
 * stripped, web-allowed command reaches the engine, and the server still
 * answers a hello afterwards. Seeded; bounded to about 8 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeI32, parseCommand } from '../../src-main/protocol.js';
import { MAX_NESTING, nestsDeeperThan, refusedInWebMode } from '../../src-main/web/commands.js';
import { startWebServer, type WebServer } from '../../src-main/web/server.js';
import { openPage, type Page, writeFakeEngine } from './fake-engine.js';

const SEED = 20_261_201;
const TIME_LIMIT_MS = 8000;

/** One valid command of each kind, as starting points for mutation. */
const VALID: Record<string, unknown>[] = [
  { type: 'hello' },
  { type: 'loadDataset', jobId: 'load', source: { kind: 'mnist', limit: 100 } },
  { type: 'loadDataset', jobId: 'load', source: { kind: 'folder', path: '/data/cats', grayscale: true } },
  { type: 'train', jobId: 'train', params: { model: 'deep', epochs: 2, codeSize: 8, learningRate: 1e-3 } },
  { type: 'project', jobId: 'proj', params: { method: 'tsne', perplexity: 30, iterations: 100, input: 'codes' } },
  { type: 'cancel', jobId: 'train' },
  { type: 'getItem', requestId: 'item', index: 3, noiseLevel: 0.5 },
  { type: 'getManifold', requestId: 'manifold', size: 10 },
  { type: 'exportCsv', requestId: 'csv', rows: encodeI32(Int32Array.from([4, 1, 9])), columns: ['error', 'code'] },
  { type: 'cluster', jobId: 'km', k: 5, seed: 1 },
  { type: 'getThumbnails', requestId: 'thumbs', indices: [1, 2, 3], maxSide: 32 },
  { type: 'search', requestId: 'find', query: 'cat', limit: 10 },
  { type: 'neighbors', requestId: 'near', index: 3, k: 10 },
  // Valid commands that web mode refuses: mutations must not sneak them through.
  { type: 'exportCsv', requestId: 'csv', path: '/tmp/out.csv' },
  { type: 'saveSession', requestId: 'save', path: '/tmp/s.aex', view: { camera: { cx: 1 } } },
  { type: 'openSession', jobId: 'open', path: '/home/someone/private.aex' },
];

/** Every path to a value inside `v` (objects and arrays), the root excluded. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    return [p, ...paths(x, p)];
  });
}

/** A deep copy of `cmd` with the value at `at` replaced (or deleted when `value` is DELETE). */
const DELETE = Symbol('delete');
function mutate(cmd: unknown, at: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(cmd) as Record<string | number, unknown>;
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

/** Values that break naive validators: extremes, wrong types, huge strings, prototype keys. */
const nasty = fc.oneof(
  fc.constantFrom(1e308, -1e308, 1e9, -1, 0, 0.5, 2 ** 53, 2 ** 31, -0, 7, 1e-12, 10_000_000),
  fc.constantFrom('', ' ', '__proto__', 'constructor', '../../etc/passwd', '\u0000', 'x'.repeat(5000)),
  fc.constantFrom(null, true, false, [], {}, [[[]]], { __proto__: { polluted: 1 } }),
  fc.integer({ min: 0, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.anything({ maxDepth: 4 }),
);

/** A valid command with one field replaced, deleted, or an unknown field added. */
const mutated = fc
  .constantFrom(...VALID)
  .chain((cmd) => {
    const all = paths(cmd);
    return fc.oneof(
      fc.record({ at: fc.constantFrom(...all), value: nasty }).map(({ at, value }) => mutate(cmd, at, value)),
      fc.constantFrom(...all).map((at) => mutate(cmd, at, DELETE)),
      fc
        .record({ key: fc.string({ maxLength: 12 }), value: nasty })
        .map(({ key, value }) => ({ ...cmd, [key]: value })),
    );
  })
  .map((c) => JSON.stringify(c));

/** A valid command with a deeply nested array in place of one field, or in an unknown one. */
const deep = fc
  .record({
    cmd: fc.constantFrom(...VALID),
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 200_000 })),
    pick: fc.nat(),
    unknown: fc.boolean(),
  })
  .map(({ cmd, depth, pick, unknown }) => {
    const all = paths(cmd);
    const at = unknown || all.length === 0 ? ['extra'] : all[pick % all.length];
    const text = JSON.stringify(mutate(cmd, at, '__DEEP__'));
    return text.replace('"__DEEP__"', '['.repeat(depth) + ']'.repeat(depth));
  });

/** A message of any shape: strings, JSON, bytes (sent as binary frames), commands of unknown types. */
const message: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 5, arbitrary: mutated },
  { weight: 2, arbitrary: deep },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc
      .record({ type: fc.oneof(fc.string(), fc.constantFrom('toString', '__proto__', 'rm -rf')), x: fc.jsonValue() })
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
);

let server: WebServer;
let dir: string;
let page: Page;
let sentinel = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ae-web-fuzz-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startWebServer({ staticDir: dir, workerPath: await writeFakeEngine(dir), tempRoot: dir });
  page = await openPage(server.port, server.token);
});

afterAll(async () => {
  page?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the server must forward for `sent`: the parsed, stripped command, or nothing. */
function expected(sent: string | Uint8Array): unknown {
  const bytes = typeof sent === 'string' ? Buffer.from(sent, 'utf8') : Buffer.from(sent);
  // The scanner has its own unit tests (commands.test.ts); here it is the rule the server must follow.
  if (nestsDeeperThan(bytes, MAX_NESTING)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = parseCommand(raw);
  return parsed.ok && refusedInWebMode(parsed.command) === null ? parsed.command : undefined;
}

describe('web server socket fuzz', () => {
  it('starts from commands that are valid', () => {
    for (const c of VALID) expect(parseCommand(c), JSON.stringify(c)).toMatchObject({ ok: true });
  });

  it('answers every message once, forwards only parsed commands, and still answers hello', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(message, async (sent) => {
        runs++;
        const from = page.events.length;
        page.ws.send(sent);
        // A sentinel after each message marks where its answers end.
        const mark = `sentinel-${sentinel++}`;
        page.ws.send(JSON.stringify({ type: 'cancel', jobId: mark }));
        await page.next(
          (e) => e.type === 'log' && (JSON.parse(e.message as string) as { jobId?: string }).jobId === mark,
          from,
        );
        const answers = page.events.slice(from, -1);
        expect(answers).toHaveLength(1);
        const [answer] = answers;
        const want = expected(sent);
        if (want === undefined) {
          expect(answer.type).toBe('error');
          expect(answer.message).toMatch(/^bad command: /);
        } else {
          expect(answer.type).toBe('log');
          // Exactly the schema's copy reached the engine: nothing unknown, nothing unchecked.
          expect(JSON.parse(answer.message as string)).toEqual(want);
        }
      }),
      { seed: SEED, numRuns: 5000, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    // About 500 runs in the 8 s here (two busy cores); a floor so a slow machine still proves something.
    expect(runs).toBeGreaterThan(100);
    // The run the time limit interrupted may still be answered: wait for the hello's own answer.
    const from = page.events.length;
    page.ws.send(JSON.stringify({ type: 'hello' }));
    await page.next((e) => e.type === 'log' && e.message === '{"type":"hello"}', from);
    // And a new page can still connect.
    const other = await openPage(server.port, server.token);
    other.ws.send(JSON.stringify({ type: 'hello' }));
    await other.next((e) => e.type === 'log');
    other.close();
  }, 60_000);
});
