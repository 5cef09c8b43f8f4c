// Random and mutated bytes through every dataset file parser, each alone and through the loader.
// Each run either returns a well-formed result or throws an Error naming the file; none hangs,
// crashes the process or allocates past the bounds of limits.ts. Seeded and bounded (~10 s).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { csvBounds, splitCsvLine } from '../../../src-main/engine/datasets/csv.js';
import { headerSize } from '../../../src-main/engine/datasets/decode.js';
import { loadFolder } from '../../../src-main/engine/datasets/folder.js';
import { parseIdx } from '../../../src-main/engine/datasets/idx.js';
import { MAX_ARRAY_BYTES } from '../../../src-main/engine/datasets/limits.js';
import { parseNpy } from '../../../src-main/engine/datasets/npy.js';
import type { Dataset } from '../../../src-main/engine/datasets/types.js';
import { bmp, encode, idx, npy, raw } from './fixtures.js';

const SEED = 20261201;
/** fast-check fails a run that takes longer than this: a hang shows as a failure, not a stuck suite. */
const RUN_TIMEOUT_MS = 5000;
/** Array memory a run may leave allocated (all of limits.ts's caps are far above what small inputs can reach). */
const MAX_GROWTH = 300 * 2 ** 20;

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'big'; at: number; value: number; le: boolean };

function mutate(seed: Uint8Array, muts: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const at = m.at % (b.length + 1);
    if (m.kind === 'set' && at < b.length) b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else if (m.kind === 'big' && at + 4 <= b.length) {
      if (m.le) b.writeUInt32LE(m.value, at);
      else b.writeUInt32BE(m.value, at);
    }
  }
  return b;
}

/** Bytes: random, or a valid seed with a few mutations; `fields` are offsets of declared sizes, hit often. */
function bytesLike(seeds: Uint8Array[], fields: number[] = []): fc.Arbitrary<Buffer> {
  const at = fields.length ? fc.oneof(fc.nat(4096), fc.constantFrom(...fields)) : fc.nat(4096);
  // Text-ish bytes too, so CSV and .npy headers get commas, newlines, quotes and digits.
  const text = fc.array(fc.constantFrom(44, 10, 13, 34, 32, 48, 49, 57, 120, 46, 45, 40, 41, 39), {
    minLength: 1,
    maxLength: 12,
  });
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at }),
    fc.record({
      kind: fc.constant('insert' as const),
      at,
      bytes: fc.oneof(text, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })),
    }),
    fc.record({
      kind: fc.constant('big' as const),
      at,
      value: fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000, 100_000, 8193, 0),
      le: fc.boolean(),
    }),
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([s, m]) => mutate(s, m)),
    },
  );
}

/** What every loaded dataset must be, whatever the input. */
function expectWellFormed(ds: Dataset): void {
  expect(ds.n).toBeGreaterThan(0);
  expect([1, 3]).toContain(ds.channels);
  expect(ds.pixels.length).toBe(ds.n * ds.height * ds.width * ds.channels);
  expect(ds.labels.length).toBe(ds.n);
  for (const l of ds.labels) expect(l >= -1 && l < ds.classNames.length).toBe(true);
  if (ds.files) expect(ds.files.length).toBe(ds.n);
  for (const s of ds.skipped) expect(s.reason).toMatch(/\S/);
}

function expectNamed(e: unknown, name: string): void {
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).message).toContain(name);
}

let peakArrayBytes = 0;
const baseArrayBytes = process.memoryUsage().arrayBuffers;
function sampleMemory(): void {
  peakArrayBytes = Math.max(peakArrayBytes, process.memoryUsage().arrayBuffers - baseArrayBytes);
}

const params = (numRuns: number) => ({ seed: SEED, numRuns, timeout: RUN_TIMEOUT_MS, endOnFailure: true });

let root: string;
const seeds: Record<string, Buffer[]> = {};
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ae-fuzz-'));
  const g = raw(8, 8, 1, (x, y) => (x * 31 + y * 7) % 256);
  const c = raw(8, 8, 3, (x, y, ch) => (x * 20 + y * 9 + ch * 60) % 256);
  for (const fmt of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const)
    seeds[fmt] = [await encode(g, 8, 8, 1, fmt), await encode(c, 8, 8, 3, fmt)];
  seeds.bmp = [bmp(8, 8, 100)];
  const body = Uint8Array.from({ length: 3 * 16 }, (_, i) => i * 5);
  seeds.idx = [idx([3, 4, 4], body), idx([3], new Uint8Array([1, 2, 1]))];
  seeds.gz = seeds.idx.map((b) => gzipSync(b));
  seeds.npy = [
    npy('|u1', [3, 4, 4], body),
    npy('<f4', [2, 2, 2], new Float32Array(8).fill(0.5)),
    npy('<i8', [3], new BigInt64Array(3)),
  ];
  seeds.csv = [Buffer.from('label,a,b,c,d\n1,0,0,0,0\n2,10,20,30,40\n'), Buffer.from('0,0.5,0.25,1\n1,"1",0,0\n')];
  seeds.labels = [Buffer.from('filename,label\na.png,cat\n"b.png",dog\n')];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Loads a fresh folder holding `files`; returns the dataset or the error. */
async function loadFiles(files: Record<string, Buffer>): Promise<Dataset | Error> {
  const dir = mkdtempSync(path.join(root, 'run-'));
  try {
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
    return await loadFolder(dir, { cacheDir: null });
  } catch (e) {
    return e as Error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    sampleMemory();
  }
}

describe('fuzzed bytes through the parsers', () => {
  it('parseIdx (plain and gzip) returns a consistent array or throws naming the file', () => {
    fc.assert(
      fc.property(fc.oneof(bytesLike(seeds.idx, [2, 3, 4, 8, 12]), bytesLike(seeds.gz)), (bytes) => {
        try {
          const a = parseIdx(bytes, 'f.idx');
          expect(a.shape.reduce((x, y) => x * y, 1)).toBe(a.data.length);
          expect(a.data.byteLength).toBeLessThanOrEqual(MAX_ARRAY_BYTES);
        } catch (e) {
          expect((e as Error).message).toMatch(/^f\.idx: /);
        }
        sampleMemory();
      }),
      params(400),
    );
  });

  it('parseNpy returns a consistent array or throws naming the file', () => {
    fc.assert(
      fc.property(bytesLike(seeds.npy, [6, 8, 9]), (bytes) => {
        try {
          const a = parseNpy(bytes, 'f.npy');
          expect(a.shape.reduce((x, y) => x * y, 1)).toBe(a.data.length);
        } catch (e) {
          expect((e as Error).message).toMatch(/^f\.npy: /);
        }
        sampleMemory();
      }),
      params(400),
    );
  });

  it('image headers, CSV bounds and CSV lines never throw', () => {
    const all = Object.values(seeds).flat();
    fc.assert(
      fc.property(bytesLike(all, [6, 8, 16, 18, 20, 22, 24, 26, 27, 28]), (bytes) => {
        const s = headerSize(bytes);
        if (s) expect(Number.isInteger(s.width) && Number.isInteger(s.height)).toBe(true);
        const text = bytes.toString('latin1');
        const why = csvBounds(text);
        expect(why === null || typeof why === 'string').toBe(true);
        expect(Array.isArray(splitCsvLine(text.split('\n')[0]))).toBe(true);
      }),
      params(1500),
    );
  });
});

describe('fuzzed files through the loader', () => {
  // Two good siblings: the folder always has images to load, and the most common size stays 8×8.
  const siblings = async () => ({ 'ok1.png': seeds.png[0], 'ok2.png': seeds.png[1] });

  for (const [fmt, ext, fields] of [
    ['png', 'png', [16, 20, 24, 25]],
    ['jpeg', 'jpg', [160, 163, 165]],
    ['webp', 'webp', [4, 16, 24, 26, 28]],
    ['gif', 'gif', [6, 8, 10]],
    ['tiff', 'tif', [4, 10, 18, 30]],
    ['bmp', 'bmp', [2, 10, 14, 18, 22, 28]],
  ] as const) {
    it(`a fuzzed .${ext} is loaded or skipped by name beside good images`, async () => {
      await fc.assert(
        fc.asyncProperty(bytesLike(seeds[fmt], [...fields]), async (bytes) => {
          const r = await loadFiles({ ...(await siblings()), [`m.${ext}`]: bytes });
          if (r instanceof Error) throw r;
          expectWellFormed(r);
          expect(r.n).toBeGreaterThanOrEqual(2);
          const used = r.files!.includes(`m.${ext}`);
          const skipped = r.skipped.some((s) => s.file === `m.${ext}`);
          expect(used !== skipped).toBe(true);
        }),
        params(40),
      );
    });
  }

  it('a fuzzed labels.csv gives labels or a skip naming it', async () => {
    await fc.assert(
      fc.asyncProperty(bytesLike(seeds.labels), async (bytes) => {
        const r = await loadFiles({ 'a.png': seeds.png[0], 'b.png': seeds.png[1], 'labels.csv': bytes });
        if (r instanceof Error) throw r;
        expectWellFormed(r);
        expect(r.notes?.some((n) => n.startsWith('labels.csv: labels for')) ?? false).toBe(true);
      }),
      params(40),
    );
  });

  for (const [kind, name, arb] of [
    ['IDX', 'train-images-idx3-ubyte', () => bytesLike(seeds.idx, [2, 3, 4, 8, 12])],
    ['gzip IDX', 'train-images-idx3-ubyte.gz', () => bytesLike(seeds.gz)],
    ['.npy', 'x_train.npy', () => bytesLike(seeds.npy, [6, 8, 9])],
    ['CSV', 'train.csv', () => bytesLike(seeds.csv)],
  ] as const) {
    it(`a fuzzed ${kind} file alone loads well formed or fails naming it`, async () => {
      await fc.assert(
        fc.asyncProperty(arb(), async (bytes) => {
          const r = await loadFiles({ [name]: bytes });
          if (r instanceof Error) expectNamed(r, name);
          else expectWellFormed(r);
        }),
        params(60),
      );
    });
  }

  it('never left more array memory allocated than the bounds allow', () => {
    expect(peakArrayBytes).toBeLessThan(MAX_GROWTH);
  });
});
