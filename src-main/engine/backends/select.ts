import { createRequire } from 'node:module';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { registerCpuKernels } from './cpu-kernels.js';
import { registerWasmKernels } from './wasm-kernels/index.js';
import { registerThreadedWasm, wasmThreads } from './wasm-threads.js';

/** The compute backends in order of preference. */
export const BACKEND_ORDER = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** Which backend runs, and why each better one did not. */
export interface BackendChoice {
  name: BackendName;
  /** One line per backend that was tried and not used. */
  notes: string[];
}

const require = createRequire(import.meta.url);

async function tryTensorflow(): Promise<void> {
  // tfjs-node is an optional dependency whose native part is fetched at install
  // time; where that failed the package is absent or its binding will not load.
  // The name is held in a variable so that type-checking and bundling do not
  // require the package to be installed.
  const name = '@tensorflow/tfjs-node';
  await import(name);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('backend "tensorflow" did not initialise');
}

/** Options of `selectBackend`. */
export interface SelectOptions {
  /**
   * Threads of the wasm backend's kernel pool (default `wasmThreads()`); 1
   * runs the plain SIMD binary, as a thread that is itself one of several
   * (data-parallel training's helper) should.
   */
  wasmThreads?: number;
}

async function tryWasm(options: SelectOptions, notes: string[]): Promise<void> {
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(dir + path.sep);
  const threads = options.wasmThreads ?? wasmThreads();
  let ok = false;
  if (threads > 1) {
    const restore = registerThreadedWasm(threads);
    try {
      ok = await tf.setBackend('wasm');
    } catch (e) {
      notes.push(`wasm with ${threads} threads: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!ok) restore();
  }
  if (!ok && !(await tf.setBackend('wasm'))) throw new Error('backend "wasm" did not initialise');
  // The package lacks some gradient kernels and runs transposed matMul slowly;
  // ours delegate to its own kernels, so they go in once it has initialised.
  registerWasmKernels();
}

async function tryCpu(): Promise<void> {
  registerCpuKernels();
  if (!(await tf.setBackend('cpu'))) throw new Error('backend "cpu" did not initialise');
}

const TRY: Record<BackendName, (options: SelectOptions, notes: string[]) => Promise<void>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: tryCpu,
};

let chosen: Promise<BackendChoice> | null = null;

/**
 * Picks the best backend that loads (tfjs-node → wasm → cpu), once per process.
 * `prefer` (or the AE_BACKEND environment variable) starts the search at a
 * given backend, e.g. to test the fallbacks. `options` apply to the first
 * call only (the choice is made once).
 */
export function selectBackend(prefer?: BackendName, options: SelectOptions = {}): Promise<BackendChoice> {
  chosen ??= (async () => {
    const start = prefer ?? (process.env.AE_BACKEND as BackendName | undefined);
    const order =
      start && BACKEND_ORDER.includes(start) ? BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(start)) : BACKEND_ORDER;
    const notes: string[] = [];
    for (const name of order) {
      try {
        await TRY[name](options, notes);
        await tf.ready();
        return { name, notes };
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0];
        notes.push(`${name}: ${msg}`);
      }
    }
    throw new Error(`no TensorFlow.js backend could start: ${notes.join('; ')}`);
  })();
  return chosen;
}
