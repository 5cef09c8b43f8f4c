import * as tf from '@tensorflow/tfjs';
import type { Initializer } from './common.js';

/** Zero padding that brings h×w up to multiples of `m`, split as evenly as possible. */
export function padToMultiple(h: number, w: number, m: number): [[number, number], [number, number]] {
  const ph = Math.ceil(h / m) * m - h;
  const pw = Math.ceil(w / m) * m - w;
  return [
    [Math.floor(ph / 2), ph - Math.floor(ph / 2)],
    [Math.floor(pw / 2), pw - Math.floor(pw / 2)],
  ];
}

/** Whether a padding/cropping spec is all zeros (then the layer is left out). */
export function isZero(p: [[number, number], [number, number]]): boolean {
  return p.flat().every((v) => v === 0);
}

/**
 * A convolutional encoder/decoder pair for any image size: the input is zero
 * padded to a multiple of 2^pools so every 2×2 max-pool halves it exactly,
 * the decoder upsamples back and crops the padding off before its output conv. The code is flattened
 * so every kind hands t-SNE a plain vector.
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
  const m = 2 ** down.length;
  const pad = padToMultiple(h, w, m);
  const conv = (filters: number, activation: 'relu' | 'sigmoid') =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation, kernelInitializer: kernel() });

  const x = tf.input({ shape: [h, w, c] });
  let e: tf.SymbolicTensor = x;
  if (!isZero(pad)) e = tf.layers.zeroPadding2d({ padding: pad }).apply(e) as tf.SymbolicTensor;
  for (const f of down) {
    e = conv(f, 'relu').apply(e) as tf.SymbolicTensor;
    e = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }).apply(e) as tf.SymbolicTensor;
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
  // Crop before the output conv: it then runs on h×w, not the padded size.
  if (!isZero(pad)) d = tf.layers.cropping2D({ cropping: pad }).apply(d) as tf.SymbolicTensor;
  d = conv(c, 'sigmoid').apply(d) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: z, outputs: d, name: `${name}_decoder` });
  return { encoder, decoder };
}
