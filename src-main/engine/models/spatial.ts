import * as tf from '@tensorflow/tfjs';

import type { Initializer } from './common.js';

/**
 * What to crop from the decoder's output to get back to h×w after `pools`
 * 2×2 'same' max-pools (each rounds up: 28 → 14 → 7 → 4) and as many 2×
 * upsamplings (4 → 32). 'same' pooling pads at the bottom and right, so the
 * surplus rows and columns are there.
 */
export function cropAfterPools(h: number, w: number, pools: number): [[number, number], [number, number]] {
  let ch = h;
  let cw = w;
  for (let i = 0; i < pools; i++) {
    ch = Math.ceil(ch / 2);
    cw = Math.ceil(cw / 2);
  }
  return [
    [0, ch * 2 ** pools - h],
    [0, cw * 2 ** pools - w],
  ];
}

/** Whether a padding/cropping spec is all zeros (then the layer is left out). */
export function isZero(p: [[number, number], [number, number]]): boolean {
  return p.flat().every((v) => v === 0);
}

/**
 * A convolutional encoder/decoder pair for any image size: 2×2 max-pools
 * with 'same' padding round odd sizes up (28 → 14 → 7 → 4, as in the
 * tutorial), the decoder upsamples back (32) and crops the surplus before its
 * output conv. The code is flattened so every kind hands t-SNE a plain vector.
 *
 * `down` are the encoder's conv widths (each followed by a pool), `up` the
 * decoder's (each followed by an upsampling); a final conv with one filter per
 * image channel and a sigmoid makes the output.
 */
export function buildConvPair(
  name: string,
  o: { height: number; width: number; channels: number },
  down: number[],
  up: number[],
  kernel: () => Initializer | undefined,
): { encoder: tf.LayersModel; decoder: tf.LayersModel } {
  const { height: h, width: w, channels: c } = o;
  const crop = cropAfterPools(h, w, down.length);
  const conv = (filters: number, activation: 'relu' | 'sigmoid') =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation, kernelInitializer: kernel() });

  const x = tf.input({ shape: [h, w, c] });
  let e: tf.SymbolicTensor = x;
  for (const f of down) {
    e = conv(f, 'relu').apply(e) as tf.SymbolicTensor;
    e = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(e) as tf.SymbolicTensor;
  }
  const codeShape = e.shape.slice(1) as number[];
  const code = tf.layers.flatten({ name: 'code' }).apply(e) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: x, outputs: code, name: `${name}_encoder` });

  const codeSize = codeShape.reduce((a, b) => a * b, 1);
  const z = tf.input({ shape: [codeSize] });
  let d = tf.layers.reshape({ targetShape: codeShape }).apply(z) as tf.SymbolicTensor;
  for (const f of up) {
    d = conv(f, 'relu').apply(d) as tf.SymbolicTensor;
    d = tf.layers.upSampling2d({ size: [2, 2] }).apply(d) as tf.SymbolicTensor;
  }
  // Crop before the output conv: it then runs on h×w, not the upsampled size.
  if (!isZero(crop)) d = tf.layers.cropping2D({ cropping: crop }).apply(d) as tf.SymbolicTensor;
  d = conv(c, 'sigmoid').apply(d) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: z, outputs: d, name: `${name}_decoder` });
  return { encoder, decoder };
}
