/**
 * The helper thread of data-parallel training (see parallel.ts): it builds
 * the same autoencoder as the calling thread, and for every step takes the
 * current weights and its share of the batch and answers with the loss and
 * the gradients of that share. It never updates weights itself, so the two
 * threads cannot drift apart. Only the wasm and cpu backends run here:
 * tfjs-node must never load in a worker thread (and threads itself anyway).
 */
import { parentPort, workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';

import { selectBackend } from '../backends/select.js';
import { buildAutoencoder } from '../models/index.js';
import type { HelperInit, HelperReply, HelperStep } from './parallel.js';
import { trainableVariables } from './variables.js';

const init = workerData as HelperInit;
const port = parentPort!;

function reply(msg: HelperReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

try {
  if (init.backend === 'tensorflow') throw new Error('the tensorflow backend does not run in worker threads');
  // One kernel thread: this thread is already the second of two.
  const backend = await selectBackend(init.backend, { wasmThreads: 1 });
  const built = buildAutoencoder(init.kind, init.build);
  const vars = trainableVariables(built);
  reply({ type: 'ready', backend: backend.name, shapes: vars.map((v) => v.shape) });

  port.on('message', (msg: HelperStep) => {
    try {
      // assign() takes its own reference to the data: the tensors made here must still be disposed (tidy).
      tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(msg.weights[i]!, v.shape))));
      const x = tf.tensor(msg.x, [msg.n, ...built.inputShape]);
      const { value, grads } = tf.variableGrads(() => built.loss(x, { seed: msg.seed }), vars);
      const out = vars.map((v) => (grads[v.name] ? (grads[v.name]!.dataSync() as Float32Array) : null));
      const loss = value.dataSync()[0]!;
      tf.dispose([x, value, ...Object.values(grads)]);
      reply(
        { type: 'grads', loss, grads: out, tensors: tf.memory().numTensors },
        out.filter((g): g is Float32Array => g !== null).map((g) => g.buffer as ArrayBuffer),
      );
    } catch (e) {
      reply({ type: 'error', message: (e as Error).message });
    }
  });
} catch (e) {
  reply({ type: 'error', message: (e as Error).message });
}
