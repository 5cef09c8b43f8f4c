import * as tf from '@tensorflow/tfjs';

import { freshTensor } from '../backends/fresh-tensor.js';
import { disposeHeapMoments, heapAdamStep, type HeapMoments, heapMoments } from '../backends/heap-adam.js';

/** Adam's constants, TF.js's defaults (epsilon: the backend's float32 epsilon, 1e-7). */
export const ADAM_DEFAULTS = Object.freeze({ beta1: 0.9, beta2: 0.999 });

/** A variable's moments: in the wasm heap where our SIMD kernels run (backends/heap-adam.ts), else in JS. */
type Slot = { heap: HeapMoments } | { m: Float32Array; v: Float32Array };

/**
 * Adam (Kingma & Ba), the same update as `tf.train.adam`, done in one pass
 * over each variable instead of fourteen tensor ops. TF.js's Adam runs
 * m·β1 + g·(1−β1), v·β2 + g²·(1−β2), two bias corrections, sqrt, +ε, ÷, ×lr
 * and + as separate kernels, each allocating a tensor the size of the
 * weights; on the wasm backend that was 28% of a step of the wide model at
 * batch 64 (bench/profile-train.ts). Here each step reads the gradient and
 * the weights once and writes new weights once. Where our SIMD kernels run
 * (wasm), the moments live in the wasm heap and one SIMD pass in float32
 * does the update (backends/heap-adam.ts: 3.1 → 0.4 ms a step for 402k
 * weights); elsewhere they stay in JS arrays and a TypeScript loop does it
 * in float64, rounded to float32 when stored (backends/fresh-tensor.ts).
 * TF.js rounds after each op: the same update up to the last bits. The
 * moments are kept by variable name, so gradients may come in any order.
 */
export class FusedAdam extends tf.Optimizer {
  /** Read at every step, so a schedule may change it between steps. */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly slots = new Map<string, Slot>();
  /** β1^t and β2^t for the step about to be taken (t from 1). */
  private accBeta1: number;
  private accBeta2: number;

  constructor(learningRate: number, beta1 = ADAM_DEFAULTS.beta1, beta2 = ADAM_DEFAULTS.beta2, epsilon?: number) {
    super();
    if (!(learningRate > 0 && Number.isFinite(learningRate)))
      throw new Error(`Adam: learning rate must be a finite number > 0, got ${learningRate}`);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    this.accBeta1 = beta1;
    this.accBeta2 = beta2;
  }

  /** Applies one step's gradients (by variable name, as `minimize` and `variableGrads` give them). */
  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const entries: [string, tf.Tensor | null | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const c1 = 1 - this.accBeta1;
    const c2 = 1 - this.accBeta2;
    for (const [name, gradient] of entries) {
      if (!gradient) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`Adam: no variable named ${name}`);
      this.update(variable, gradient, c1, c2);
    }
    this.accBeta1 *= this.beta1;
    this.accBeta2 *= this.beta2;
    this.incrementIterations();
  }

  private update(variable: tf.Variable, gradient: tf.Tensor, c1: number, c2: number): void {
    const n = variable.size;
    if (gradient.size !== n)
      throw new Error(`Adam: gradient of ${variable.name} has ${gradient.size} values, not ${n}`);
    let slot = this.slots.get(variable.name);
    if (!slot) {
      const heap = gradient.dtype === 'float32' ? heapMoments(n) : null;
      slot = heap ? { heap } : { m: new Float32Array(n), v: new Float32Array(n) };
      this.slots.set(variable.name, slot);
    }
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const step = this.learningRate / c1;
    const invC2 = 1 / c2;
    if ('heap' in slot) {
      const updated = heapAdamStep(slot.heap, variable, gradient, { b1, b2, step, invC2, eps });
      variable.assign(updated);
      updated.dispose();
      return;
    }
    const { m, v } = slot;
    // The variable's current values are read each step, so an assign from outside (a loaded model) is followed.
    const next = freshTensor(variable.shape, [variable, gradient], (out, [w, g]) =>
      adamLoop(n, w!, g!, m, v, out, b1, b2, step, invC2, eps),
    );
    variable.assign(next);
    next.dispose();
  }

  /** Frees the moments (the heap's, or drops the JS arrays). */
  override dispose(): void {
    for (const slot of this.slots.values()) if ('heap' in slot) disposeHeapMoments(slot.heap);
    this.slots.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * The update of one variable, element by element (m and v in place, the new
 * weights into `out`). A top-level function of plain arguments, so that the
 * compiled loop keeps everything in registers instead of reloading a closure's
 * captured values on each element.
 */
function adamLoop(
  n: number,
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  out: Float32Array,
  b1: number,
  b2: number,
  step: number,
  invC2: number,
  eps: number,
): void {
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + a1 * gi;
    const vi = b2 * v[i]! + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = w[i]! - (step * mi) / (Math.sqrt(vi * invC2) + eps);
  }
}
