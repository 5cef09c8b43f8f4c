import * as tf from '@tensorflow/tfjs';

import type { Initializer } from './common.js';

/** A Cropping2D spec: rows from the top and bottom, columns from the left and right. */
export type Crop = [[number, number], [number, number]];

/**
 * The sizes the encoder's 2×2 'same' max-pools leave, from the image's down:
 * each rounds up (28 → 14 → 7 → 4), so `pools` pools give `pools + 1` sizes.
 */
export function poolSizes(h: number, w: number, pools: number): [number, number][] {
  const sizes: [number, number][] = [[h, w]];
  for (let i = 0; i < pools; i++) {
    const [ph, pw] = sizes[i]!;
    sizes.push([Math.ceil(ph / 2), Math.ceil(pw / 2)]);
  }
  return sizes;
}

/**
 * What to crop after each of the decoder's `pools` 2× upsamplings so that
 * every level is the size the encoder had there (4 → 8, cropped to 7 → 14
 * → 28 for 28×28 images): the surplus of a rounding-up pool is removed
 * where it appears, at the smallest size, instead of being carried up and
 * cropped at full size. 'same' pooling pads at the bottom and right, so
 * the surplus rows and columns are there. Null where nothing is cropped.
 */
export function decoderCrops(h: number, w: number, pools: number): (Crop | null)[] {
  const sizes = poolSizes(h, w, pools);
  return Array.from({ length: pools }, (_, i) => {
    const [fromH, fromW] = sizes[pools - i]!;
    const [toH, toW] = sizes[pools - i - 1]!;
    const crop: Crop = [
      [0, 2 * fromH - toH],
      [0, 2 * fromW - toW],
    ];
    return crop.flat().every((v) => v === 0) ? null : crop;
  });
}

/**
 * A convolutional encoder/decoder pair for any image size: 2×2 max-pools
 * with 'same' padding round odd sizes up (28 → 14 → 7 → 4, as in the
 * tutorial), and each of the decoder's upsamplings is cropped back to the
 * encoder's size at that level (`decoderCrops`: 4 → 8 → 7 → 14 → 28). The
 * tutorial reaches 28 with one 'valid' conv from 16 to 14 rows, which fits
 * 28 only; here the decoder's second and third convs run at 7 and 14 rows
 * (the tutorial's at 8, and 16 to 14), for any size. The code is flattened
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
  if (up.length !== down.length)
    throw new Error(`${name}: the decoder needs one upsampling per pool (${down.length}), got ${up.length}`);
  const crops = decoderCrops(h, w, down.length);
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
  up.forEach((f, i) => {
    d = conv(f, 'relu').apply(d) as tf.SymbolicTensor;
    d = tf.layers.upSampling2d({ size: [2, 2] }).apply(d) as tf.SymbolicTensor;
    const crop = crops[i];
    if (crop) d = tf.layers.cropping2D({ cropping: crop }).apply(d) as tf.SymbolicTensor;
  });
  d = conv(c, 'sigmoid').apply(d) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: z, outputs: d, name: `${name}_decoder` });
  return { encoder, decoder };
}
