import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  COMMAND_SCHEMAS,
  COMMAND_TYPES,
  encodeI32,
  LIMITS,
  MAX_IMAGE_SIDE,
  parseCommand,
  validateCommand,
} from '../../src-main/protocol.js';

const load = (source: unknown) => validateCommand({ type: 'loadDataset', jobId: 'j', source });
const train = (params: Record<string, unknown>) => validateCommand({ type: 'train', jobId: 'j', params });

describe('parseCommand: the limits the product supports', () => {
  it('refuses each out-of-range training parameter the security review found, naming the field and the bound', () => {
    expect(train({ model: 'deep', codeSize: 10_000_000 })).toBe(
      `train: params.codeSize: Too big: expected number to be <=${LIMITS.codeSize.max}`,
    );
    expect(train({ model: 'deep', epochs: 1e9 })).toMatch(/params\.epochs: .*<=1000/);
    expect(train({ model: 'deep', learningRate: -1e308 })).toMatch(/params\.learningRate: .*>=1e-7/);
    expect(train({ model: 'deep', validationSplit: 7 })).toMatch(/params\.validationSplit: .*<=0\.5/);
    expect(train({ model: 'deep', epochs: 2.5 })).toMatch(/params\.epochs: .*int/);
    expect(train({ model: 'deep', learningRate: Infinity })).toMatch(/params\.learningRate/);
    expect(train({ model: 'deep', codeSize: 32, epochs: 10, learningRate: 1e-3, validationSplit: 0.1 })).toBeNull();
  });

  it('accepts the kind-specific noise level and L1 weight from 0 to 1, and names a bad one', () => {
    expect(train({ model: 'denoising', noiseLevel: 0.3 })).toBeNull();
    expect(train({ model: 'sparse', l1: 1e-3 })).toBeNull();
    expect(train({ model: 'denoising', noiseLevel: 1.5 })).toMatch(/^train: params\.noiseLevel: Too big/);
    expect(train({ model: 'sparse', l1: -1e-4 })).toMatch(/^train: params\.l1: Too small/);
    expect(train({ model: 'sparse', l1: '1e-4' })).toMatch(/^train: params\.l1: .*expected number/);
    expect(train({ model: 'bogus' })).toMatch(/^train: params\.model: Invalid option/);
  });

  it('bounds projection iterations and perplexity for every method', () => {
    const project = (params: Record<string, unknown>) => validateCommand({ type: 'project', jobId: 'j', params });
    expect(project({ method: 'umap', iterations: 1e9 })).toMatch(/params\.iterations: .*<=10000/);
    expect(project({ method: 'tsne', perplexity: 1e6 })).toMatch(/params\.perplexity/);
    expect(project({ method: 'tsne', perplexity: 30, iterations: 750, input: 'pixels' })).toBeNull();
    expect(project({ method: 'lda' })).toMatch(/params\.method/);
  });

  it('bounds strings and index lists', () => {
    expect(validateCommand({ type: 'cancel', jobId: 'x'.repeat(201) })).toMatch(/jobId: Too big/);
    expect(validateCommand({ type: 'search', requestId: 'r', query: '   ' })).toMatch(/query: must not be empty/);
    expect(
      validateCommand({ type: 'getThumbnails', requestId: 'r', indices: Array.from({ length: 1025 }, () => 0) }),
    ).toMatch(/indices/);
    expect(validateCommand({ type: 'getItem', requestId: 'r', index: -3 })).toMatch(/getItem: index/);
    expect(
      validateCommand({ type: 'saveSession', requestId: 'r', path: '/x', view: { a: 'x'.repeat(200_000) } }),
    ).toMatch(/view: must be plain JSON under 100 kB/);
  });

  it('carries a selection as base64 of Int32 rows and refuses anything that is not whole integers', () => {
    const rows = encodeI32(Int32Array.from([5, 0, 3]));
    expect(validateCommand({ type: 'exportCsv', requestId: 'r', rows, columns: ['error', 'code'] })).toBeNull();
    expect(validateCommand({ type: 'exportCsv', requestId: 'r', rows: 'AAAAAQAAAA==' })).toMatch(/whole 32-bit/);
    expect(validateCommand({ type: 'exportCsv', requestId: 'r', rows: [1, 2] })).toMatch(/rows/);
    expect(validateCommand({ type: 'exportCsv', requestId: 'r', columns: ['error', 'error'] })).toMatch(/repeat/);
    // A selection of 150,000 rows, which broke the 1 MiB WebSocket limit as a JSON array, is 800 kB here.
    const big = encodeI32(Int32Array.from({ length: 150_000 }, (_, i) => i));
    expect(big.length).toBeLessThan(820_000);
    expect(validateCommand({ type: 'exportCsv', requestId: 'r', rows: big })).toBeNull();
  });
});

describe('parseCommand: unknown fields', () => {
  it('drops unknown fields at every level, so only declared fields are forwarded', () => {
    const r = parseCommand({
      type: 'loadDataset',
      jobId: 'j',
      extra: 1,
      source: { kind: 'folder', path: '/d', evil: { x: 1 }, size: { width: 8, height: 8, depth: 3 } },
    });
    expect(r).toEqual({
      ok: true,
      command: {
        type: 'loadDataset',
        jobId: 'j',
        source: { kind: 'folder', path: '/d', size: { width: 8, height: 8 } },
      },
    });
  });

  it('drops a 300,000-deep nested unknown field without walking it', () => {
    const text = '{"type":"hello","x":' + '['.repeat(300_000) + ']'.repeat(300_000) + '}';
    const r = parseCommand(JSON.parse(text));
    expect(r).toEqual({ ok: true, command: { type: 'hello' } });
  });

  it('hands back the ids of a refused command, when they are usable strings', () => {
    const r = parseCommand({ type: 'train', jobId: 'j7', params: { model: 'deep', epochs: 0 } });
    expect(r).toMatchObject({ ok: false, ids: { jobId: 'j7' } });
    expect(parseCommand({ type: 'bogus', requestId: 'r1' })).toMatchObject({ ok: false, ids: { requestId: 'r1' } });
    expect(parseCommand({ type: 'cancel', jobId: 'x'.repeat(201) })).toMatchObject({ ok: false, ids: {} });
    expect(parseCommand([])).toMatchObject({ ok: false, ids: {} });
  });

  it('names an unknown command type and refuses non-objects', () => {
    expect(validateCommand({ type: 'rm -rf' })).toBe('unknown command type "rm -rf"');
    expect(validateCommand({ type: 'toString' })).toBe('unknown command type "toString"');
    expect(validateCommand([])).toBe('command must be an object');
    expect(validateCommand(null)).toBe('command must be an object');
  });
});

describe('validateCommand: loadDataset sources', () => {
  it('accepts a folder with an image size and forced grayscale, or with neither', () => {
    expect(load({ kind: 'folder', path: '/data/cats' })).toBeNull();
    expect(load({ kind: 'folder', path: '/data/cats', size: { width: 32, height: 24 }, grayscale: true })).toBeNull();
    expect(load({ kind: 'folder', path: '/d', grayscale: false, limit: 10 })).toBeNull();
    expect(load({ kind: 'folder', path: '/d', size: { width: MAX_IMAGE_SIDE, height: 1 } })).toBeNull();
  });

  it('rejects a size that is not two whole pixel counts in range, naming the field', () => {
    for (const size of [
      { width: 0, height: 28 },
      { width: 28 },
      { width: 28.5, height: 28 },
      { width: '28', height: 28 },
      { width: MAX_IMAGE_SIDE + 1, height: 28 },
      [28, 28],
      null,
      '28x28',
    ])
      expect(load({ kind: 'folder', path: '/d', size }), JSON.stringify(size)).toMatch(/^loadDataset: source\.size/);
  });

  it('rejects a grayscale flag that is not a boolean', () => {
    expect(load({ kind: 'folder', path: '/d', grayscale: 'yes' })).toMatch(/source\.grayscale/);
    expect(load({ kind: 'folder', path: '/d', grayscale: 1 })).toMatch(/source\.grayscale/);
  });

  it('still checks the path, the limit and the kind', () => {
    expect(load({ kind: 'folder', path: '', size: { width: 8, height: 8 } })).toMatch(/source\.path/);
    expect(load({ kind: 'folder', path: '/d', limit: 0 })).toMatch(/source\.limit/);
    expect(load({ kind: 'mnist', limit: 1e12 })).toMatch(/source\.limit/);
    expect(load({ kind: 'zip', path: '/d' })).toMatch(/source\.kind/);
  });
});

describe('parseCommand: fuzzed', () => {
  // Commands with one field replaced by an arbitrary JSON value, and arbitrary JSON.
  const mutated = fc
    .tuple(
      fc.constantFrom(
        { type: 'train', jobId: 'j', params: { model: 'deep', epochs: 3, codeSize: 16 } },
        { type: 'project', jobId: 'j', params: { method: 'tsne', perplexity: 30 } },
        { type: 'loadDataset', jobId: 'j', source: { kind: 'folder', path: '/d', size: { width: 8, height: 8 } } },
        { type: 'getThumbnails', requestId: 'r', indices: [1, 2, 3], maxSide: 32 },
        { type: 'exportCsv', requestId: 'r', rows: 'AAAAAA==', columns: ['code'] },
      ),
      fc.string({ maxLength: 12 }),
      fc.jsonValue({ maxDepth: 4 }),
    )
    .map(([base, key, value]) => {
      const c = structuredClone(base) as Record<string, unknown>;
      const inner = (c.params ?? c.source ?? c) as Record<string, unknown>;
      inner[key.length > 0 ? key : 'x'] = value;
      return c as unknown;
    });

  it('never throws, and what it accepts is plain JSON that parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.jsonValue({ maxDepth: 5 }), fc.anything()), (raw) => {
        const r = parseCommand(raw);
        if (!r.ok) {
          expect(typeof r.message).toBe('string');
          expect(r.message.length).toBeLessThan(2000);
          return;
        }
        const again = parseCommand(JSON.parse(JSON.stringify(r.command)));
        expect(again).toEqual(r);
      }),
      { seed: 11, numRuns: 3000 },
    );
  });

  it('accepts every declared command type with its minimal fields', () => {
    expect(COMMAND_TYPES).toEqual(Object.keys(COMMAND_SCHEMAS));
    expect(parseCommand({ type: 'hello' }).ok).toBe(true);
    expect(parseCommand({ type: 'getManifold', requestId: 'm' }).ok).toBe(true);
  });
});
