import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** The little of the WebAssembly API used here (the node tsconfig has no DOM or WebAssembly types). */
interface Wasm {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** TF.js's priority for its wasm backend; ours takes the same place in the order. */
const WASM_PRIORITY = 2;

/** The parts of an Emscripten module the factory below touches. */
interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

/**
 * How many threads XNNPACK's pool runs a kernel on (matrix products,
 * convolutions): `AE_WASM_THREADS` if set (at most 8, TF.js's cap), else 1,
 * the plain SIMD binary. Not more by default: measured on a shared 2-core
 * machine (load 11–15), a pool of 2 used 1.8× the CPU time of one thread
 * for deep training (its idle thread spins between kernels) and gave no
 * wall-clock gain that the load did not drown (issue 14's note). At load
 * 1.3–2.4 it gave none either (deep 0.97×, vae 1.02×): a product runs 2×
 * faster on 2 threads only while its operands stay the same, and in
 * training each step's are new, so XNNPACK packs them first on one thread
 * (README, Training speed).
 */
export function wasmThreads(): number {
  const env = Number(process.env.AE_WASM_THREADS);
  return Number.isInteger(env) && env >= 1 ? Math.min(8, env) : 1;
}

/**
 * Registers a `wasm` backend that runs TF.js's threaded SIMD binary with a
 * pool of `threads`, in place of the package's factory, which never picks
 * that binary under Node (tfjs#3830): its pthread script is a Blob URL,
 * which Node's Worker cannot start. Here the script is a file
 * (wasm-pthread-worker.cjs) and the module's own file is what each pthread
 * loads. The backend's C++ caps the pool at half the logical cores it is
 * told of (it assumes two hardware threads per core), so it is told
 * 2 × threads. Returns a function that puts the package's factory back.
 */
export function registerThreadedWasm(threads: number): () => void {
  const original = tf.findBackendFactory('wasm');
  const moduleFile = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const dir = path.dirname(moduleFile);
  const workerFile = pthreadScript();
  const factory = require(moduleFile) as (config: object) => Promise<EmscriptenModule>;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // Emscripten never settles its promise when instantiation fails: this one says why instead.
      let fail: (e: Error) => void = () => {};
      const failed = new Promise<never>((_, reject) => (fail = reject));
      const module = await Promise.race([
        factory({
          locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile : path.join(dir, file)),
          // Emscripten's hook for instantiating the binary ourselves: the one way to change what it is told of the machine.
          instantiateWasm: (
            info: { env: Record<string, unknown> },
            receive: (instance: object, module: object) => void,
          ) => {
            info.env.emscripten_num_logical_cores = () => 2 * threads;
            webAssembly
              .instantiate(readFileSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm')), info)
              .then((r) => receive(r.instance, r.module))
              .catch((e: unknown) => fail(new Error(`threaded wasm binary: ${(e as Error).message}`)));
            return {};
          },
        }),
        failed,
      ]);
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      setThreadsCount(threads);
      const backend = new BackendWasm(module as never);
      // The pool's threads wait for work forever: they must not keep the process alive.
      for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
  return () => {
    tf.removeBackend('wasm');
    if (original) tf.registerBackend('wasm', original, WASM_PRIORITY);
  };
}

/** The pthread script: beside this module from source, beside the bundle when built (src-main/tools/build.ts). */
function pthreadScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasm-pthread-worker.cjs');
}
