import { createRequire } from 'node:module';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { registerCpuKernels } from './cpu-kernels.js';
import { registerWasmKernels } from './wasm-kernels/index.js';

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

async function tryWasm(): Promise<void> {
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(dir + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('backend "wasm" did not initialise');
  // The package lacks some gradient kernels and runs transposed matMul slowly;
  // ours delegate to its own kernels, so they go in once it has initialised.
  registerWasmKernels();
}

async function tryCpu(): Promise<void> {
  registerCpuKernels();
  if (!(await tf.setBackend('cpu'))) throw new Error('backend "cpu" did not initialise');
}

const TRY: Record<BackendName, () => Promise<void>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

let chosen: Promise<BackendChoice> | null = null;

/**
 * Picks the best backend that loads (tfjs-node → wasm → cpu), once per process.
 * `prefer` (or the AE_BACKEND environment variable) starts the search at a
 * given backend, e.g. to test the fallbacks.
 */
export function selectBackend(prefer?: BackendName): Promise<BackendChoice> {
  chosen ??= (async () => {
    const start = prefer ?? (process.env.AE_BACKEND as BackendName | undefined);
    const order =
      start && BACKEND_ORDER.includes(start) ? BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(start)) : BACKEND_ORDER;
    const notes: string[] = [];
    for (const name of order) {
      try {
        await TRY[name]();
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
