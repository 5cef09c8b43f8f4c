import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { wasmThreads } from '../../../src-main/engine/backends/wasm-threads.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');

// The backend is chosen once per process, so the threaded one is started in a child of its own.
const CHILD = path.join(import.meta.dirname, 'wasm-threads-child.ts');

describe('threaded wasm backend', () => {
  it('defaults to one thread unless AE_WASM_THREADS asks for more', () => {
    const saved = process.env.AE_WASM_THREADS;
    delete process.env.AE_WASM_THREADS;
    expect(wasmThreads()).toBe(1);
    process.env.AE_WASM_THREADS = '2';
    expect(wasmThreads()).toBe(2);
    process.env.AE_WASM_THREADS = '64';
    expect(wasmThreads()).toBe(8);
    if (saved === undefined) delete process.env.AE_WASM_THREADS;
    else process.env.AE_WASM_THREADS = saved;
  });

  it('runs a pool of 2 under Node, multiplies like the cpu backend (1e-4 of the largest entry), and lets the process exit', async () => {
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, [CHILD], {
      cwd: root,
      env: { ...process.env, AE_WASM_THREADS: '2' },
      // A pool thread that kept the process alive would run into this.
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      name: string;
      notes: string[];
      threads: number;
      worst: number;
      simd: boolean;
      filterWorst: number;
    };
    expect(out).toMatchObject({ name: 'wasm', notes: [], threads: 2 });
    expect(out.worst).toBeLessThan(1e-4);
    // Our SIMD kernels run on the threaded binary's shared memory too (their module built for it).
    expect(out.simd).toBe(true);
    expect(out.filterWorst).toBeLessThan(1e-4);
  }, 90_000);
});
