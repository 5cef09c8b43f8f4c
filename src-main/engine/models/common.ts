import * as tf from '@tensorflow/tfjs';

import type { ModelKind } from '../../protocol.js';
import { BCE_KERNEL, type BceAttrs, hasKernel } from './fused-kernels.js';
import type { Autoencoder, BuildOptions, LossOptions, ModelDefaults } from './types.js';

/** A weight initialiser (tfjs does not export the class's type under tf.initializers). */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Keeps predictions away from 0 and 1 so log() stays finite. */
const EPS = 1e-7;

/** Per-element binary cross-entropy between targets x and predictions y (same shape). */
export function bceElements(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const yc = y.clipByValue(EPS, 1 - EPS);
    return x
      .mul(yc.log())
      .add(tf.scalar(1).sub(x).mul(tf.scalar(1).sub(yc).log()))
      .neg();
  });
}

/**
 * Mean per-pixel binary cross-entropy, the loss the tutorial reports: the
 * mean of `bceElements`, with its gradient written out. Left to autodiff,
 * the clip, the two logs and the products took 25 elementwise kernels per
 * step (the clip's gradient alone five: two comparisons, an and, zeros and
 * a select), 15% of a deep-model step on wasm (bench/profile-train.ts);
 * written out it is 7. The gradient with respect to y is
 * (yc − x) / (yc·(1 − yc)) / n where the clip let y through (yc = y), else 0,
 * as the clip's own gradient has it; none flows to x, the targets.
 */
export function meanBce(x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const n = x.size;
  if (hasKernel(BCE_KERNEL)) return fusedMeanBce(x, y);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [yv, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const yc = yv.clipByValue(EPS, 1 - EPS);
    const rest = tf.sub(1, yc);
    const logRest = rest.log();
    // x·log(yc) + (1 − x)·log(1 − yc), with one product fewer.
    const value = logRest
      .add(x.mul(yc.log().sub(logRest)))
      .mean()
      .neg() as tf.Scalar;
    save([yv, yc, rest]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ys, ycs, rests] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const through = ycs.equal(ys).cast('float32').mul(dy.div(n));
        return ycs.sub(x).div(ycs.mul(rests)).mul(through);
      },
    };
  });
  return f(y) as tf.Scalar;
}

/**
 * `meanBce` through the backend's fused kernel (models/fused-kernels.ts):
 * value and gradient in one pass, kept from the forward pass for the
 * backward one (7 kernels become 2 and a scale).
 */
function fusedMeanBce(x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const n = x.size;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [yv, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const attrs: BceAttrs = { eps: EPS, scale: 1 / n };
    const [total, grad] = tf.engine().runKernel(BCE_KERNEL, { y: yv, x }, attrs as unknown as tf.NamedAttrMap) as [
      tf.Scalar,
      tf.Tensor,
    ];
    save([grad!]);
    const value = total!.mul(-1 / n) as tf.Scalar;
    total!.dispose();
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved[0]!.mul(dy) };
  });
  return f(y) as tf.Scalar;
}

/** Keeps pairwise distances and their ratios finite (identical images in a batch). */
const DIST_EPS = 1e-6;

/** Distances between the rows of a [b, …] tensor, [b, b], through one matMul. */
function pairwiseDistances(t: tf.Tensor): tf.Tensor {
  const flat = t.reshape([t.shape[0]!, -1]) as tf.Tensor2D;
  const sq = flat.square().sum(1, true);
  return tf
    .relu(sq.add(sq.transpose()).sub(tf.matMul(flat, flat, false, true).mul(2)))
    .add(DIST_EPS)
    .sqrt();
}

/**
 * Sammon-weighted stress between the batch's code distances and its pixel
 * distances, each scaled by its own mean over the pairs (so the code keeps
 * its own scale): Σ (d̂z − d̂x)² / d̂x over pairs i ≠ j, divided by their
 * number. Dividing by d̂x weights the near pairs, the ones a map's
 * neighbourhoods are made of. An autoencoder's code is free to put two
 * images that look alike far apart, if that helps the decoder; this term
 * keeps the code's geometry close to the pixels', which is what
 * trustworthiness measures a map against (issue 13). No gradient flows to
 * the pixels.
 */
export function distanceStress(code: tf.Tensor, x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const b = code.shape[0]!;
    if (b < 2) return tf.scalar(0);
    const eye = tf.eye(b);
    const off = tf.sub(1, eye);
    const pairs = b * (b - 1);
    const dx = pairwiseDistances(x).mul(off);
    const dz = pairwiseDistances(code).mul(off);
    const a = dx.div(dx.sum().div(pairs));
    const c = dz.div(dz.sum().div(pairs));
    return c.sub(a).square().div(a.add(eye).add(DIST_EPS)).mul(off).sum().div(pairs) as tf.Scalar;
  });
}

/**
 * Hands out weight initialisers: seeded in sequence when a seed is given (so
 * the same build gives the same weights), else the layers' own defaults.
 */
export class Initialisers {
  private k = 0;
  constructor(private readonly seed?: number) {}

  /** Glorot-uniform, the Keras default for dense and conv kernels. */
  kernel(): Initializer | undefined {
    return this.seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: this.seed + this.k++ });
  }

  /** Orthogonal, the Keras default for recurrent kernels. */
  recurrent(): Initializer | undefined {
    return this.seed === undefined ? undefined : tf.initializers.orthogonal({ seed: this.seed + this.k++ });
  }
}

/** Validates the image shape at the entrance, with a clear message. */
export function checkOptions(kind: ModelKind, o: BuildOptions): void {
  for (const k of ['height', 'width', 'channels'] as const)
    if (!Number.isInteger(o[k]) || o[k] < 1)
      throw new Error(`${kind} autoencoder: ${k} must be a positive integer, got ${o[k]}`);
  if (o.codeSize !== undefined && (!Number.isInteger(o.codeSize) || o.codeSize < 1))
    throw new Error(`${kind} autoencoder: codeSize must be a positive integer, got ${o.codeSize}`);
}

/**
 * Puts encoder and decoder together into the whole autoencoder, and gives it
 * the default objective (mean per-pixel BCE of the reconstruction).
 */
export function assemble(
  kind: ModelKind,
  encoder: tf.LayersModel,
  decoder: tf.LayersModel,
  defaults: ModelDefaults,
  loss?: (x: tf.Tensor, opts: LossOptions) => tf.Scalar,
): Autoencoder {
  const inputShape = encoder.inputs[0]!.shape.slice(1) as number[];
  const codeShape = encoder.outputs[0]!.shape.slice(1) as number[];
  const input = tf.input({ shape: inputShape });
  const output = decoder.apply(encoder.apply(input)) as tf.SymbolicTensor;
  const autoencoder = tf.model({ inputs: input, outputs: output, name: `${kind}_autoencoder` });
  return {
    kind,
    encoder,
    decoder,
    autoencoder,
    codeSize: codeShape.reduce((a, b) => a * b, 1),
    inputShape,
    defaults: Object.freeze({ ...defaults }),
    loss: (x, opts = {}) =>
      loss ? loss(x, opts) : tf.tidy(() => meanBce(x, autoencoder.apply(x, { training: true }) as tf.Tensor)),
  };
}

/** Applies layers in order to a symbolic tensor. */
export function chain(x: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((h, l) => l.apply(h) as tf.SymbolicTensor, x);
}

/**
 * A fully-connected autoencoder on flattened images: `hidden` relu layers down
 * to a relu code, as the tutorial's kinds have it, the mirror back up, sigmoid
 * output. (wide, with its linear paths, builds its own: models/wide.ts.)
 */
export function buildDense(
  kind: ModelKind,
  o: BuildOptions,
  hidden: number[],
  codeSize: number,
  defaults: ModelDefaults,
  codeRegulariser?: (code: tf.Tensor) => tf.Scalar,
): Autoencoder {
  checkOptions(kind, o);
  const size = o.height * o.width * o.channels;
  const init = new Initialisers(o.seed);
  const dense = (units: number, activation: 'relu' | 'sigmoid', name?: string) =>
    tf.layers.dense({ units, activation, kernelInitializer: init.kernel(), ...(name ? { name } : {}) });
  const x = tf.input({ shape: [size] });
  const code = chain(x, [...hidden.map((u) => dense(u, 'relu')), dense(codeSize, 'relu', 'code')]);
  const encoder = tf.model({ inputs: x, outputs: code, name: `${kind}_encoder` });
  const c = tf.input({ shape: [codeSize] });
  const y = chain(c, [...[...hidden].reverse().map((u) => dense(u, 'relu')), dense(size, 'sigmoid')]);
  const decoder = tf.model({ inputs: c, outputs: y, name: `${kind}_decoder` });
  if (!codeRegulariser) return assemble(kind, encoder, decoder, defaults);
  return assemble(kind, encoder, decoder, defaults, (xb) =>
    tf.tidy(() => {
      const z = encoder.apply(xb, { training: true }) as tf.Tensor;
      const r = decoder.apply(z, { training: true }) as tf.Tensor;
      return meanBce(xb, r).add(codeRegulariser(z)) as tf.Scalar;
    }),
  );
}
