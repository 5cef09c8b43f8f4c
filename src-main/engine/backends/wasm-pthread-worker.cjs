/**
 * The script each pthread of TF.js's threaded SIMD wasm binary runs, for
 * Node's worker threads (wasm-threads.ts). The package ships it only as a
 * string to be loaded from a Blob URL, which Node's Worker cannot start; its
 * own Node branch (require, fs, __filename) is what runs here. Newlines in
 * the string's string literals are escaped as the package itself does before
 * making its Blob.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS: Emscripten starts this file by path in a Worker */
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
