import * as tf from '@tensorflow/tfjs';

/**
 * Whether the active backend still computes: a tiny op read back. A wasm
 * heap left broken by a failed huge allocation answers every later op with
 * "memory access out of bounds"; this finds out without a real job.
 */
export async function backendWorks(): Promise<boolean> {
  try {
    const t = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
    const v = (await t.data())[0];
    t.dispose();
    return v === 14;
  } catch {
    return false;
  }
}

/**
 * Replaces the active backend by a fresh instance of the same kind (for
 * wasm: a new module and heap), keeping the kernels registered for it.
 * Tensors of the old instance are lost: the caller drops whatever held them.
 */
export async function recreateBackend(): Promise<void> {
  const name = tf.getBackend();
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new Error(`backend ${name} cannot be restarted: no factory is registered`);
  const engine = tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> };
  try {
    tf.removeBackend(name);
  } catch {
    // Disposing a broken instance can fail; drop it from the registry all the same.
    delete engine.registry[name];
    tf.removeBackend(name);
  }
  tf.registerBackend(name, factory);
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not restart`);
  await tf.ready();
}
