import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { setBackpropFilterStrategy } from '../../../src-main/engine/backends/wasm-kernels/conv2d-backprop-filter.js';
import { WASM_KERNELS } from '../../../src-main/engine/backends/wasm-kernels/index.js';
import { expectMatchesCpu, random, run } from './kernel-check.js';

beforeAll(async () => {
  const choice = await selectBackend('wasm');
  expect(choice.name).toBe('wasm');
});

describe('wasm kernel registration', () => {
  it('replaces or adds every kernel in WASM_KERNELS', () => {
    for (const [name, fn] of Object.entries(WASM_KERNELS))
      expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBe(fn as unknown as tf.KernelFunc);
  });
});

const rnd = random(7);
const t = (...shape: number[]) => ({ values: rnd(shape.reduce((a, b) => a * b, 1)), shape });

describe('BatchMatMul on wasm', () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`matches cpu with transposeA=${ta}, transposeB=${tb}, batch 3`, () => {
      const a = ta ? t(3, 19, 13) : t(3, 13, 19);
      const b = tb ? t(3, 7, 19) : t(3, 19, 7);
      expectMatchesCpu('BatchMatMul', { a, b }, { transposeA: ta, transposeB: tb });
    });
  }
  it('matches cpu for a dense backward pass (x^T·dy with 256×784 inputs)', () => {
    expectMatchesCpu('BatchMatMul', { a: t(1, 64, 784), b: t(1, 64, 32) }, { transposeA: true, transposeB: false });
  });
  it('broadcasts a rank-2 operand against a batch', () => {
    expectMatchesCpu('BatchMatMul', { a: t(2, 5, 6), b: t(1, 4, 6) }, { transposeA: false, transposeB: true });
  });
});

describe('_FusedMatMul on wasm', () => {
  it('matches cpu with bias, relu and both transposes', () => {
    expectMatchesCpu(
      '_FusedMatMul',
      { a: t(1, 11, 9), b: t(1, 5, 11), bias: t(5) },
      { transposeA: true, transposeB: true, activation: 'relu', leakyreluAlpha: 0.2 },
    );
  });
});

/** Shapes for the conv gradients: [batch, h, w, ci], filter [fh, fw, ci, co]. */
const CONV_CASES = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4] },
  { x: [3, 8, 8, 1], f: [3, 3, 1, 5] },
  { x: [2, 6, 5, 4], f: [2, 2, 4, 2] },
  { x: [2, 5, 5, 2], f: [1, 1, 2, 3] },
  // One output channel, as the conv model's output layer (16 → 1).
  { x: [3, 7, 6, 5], f: [3, 3, 5, 1] },
  // The conv model's first and output layers, and a 12-channel output (the SIMD kernel's 8 + 4 blocks).
  { x: [2, 6, 7, 1], f: [3, 3, 1, 16] },
  { x: [2, 6, 7, 16], f: [3, 3, 16, 1] },
  { x: [2, 5, 6, 8], f: [3, 3, 8, 12] },
] as const;

describe('Conv2DBackpropFilter on wasm (absent from the package)', () => {
  afterEach(() => setBackpropFilterStrategy(null));
  for (const strategy of ['measured', 'simd', 'shifted', 'batch'] as const)
    for (const { x, f } of CONV_CASES)
      for (const strides of [1, 2])
        for (const pad of ['same', 'valid'] as const)
          it(`matches cpu for x ${x.join('×')}, filter ${f.join('×')}, stride ${strides}, ${pad} (${strategy})`, () => {
            setBackpropFilterStrategy(strategy === 'measured' ? null : strategy);
            const info = tf.backend_util.computeConv2DInfo([...x], [...f], strides, 1, pad);
            const dy = t(x[0], info.outHeight, info.outWidth, f[3]);
            expectMatchesCpu(
              'Conv2DBackpropFilter',
              { x: t(...x), dy },
              { strides, pad, dataFormat: 'NHWC', filterShape: [...f] },
            );
          });
});

describe('Conv2D and FusedConv2D with one filter on wasm (depthwise + sum)', () => {
  for (const strides of [1, 2])
    for (const pad of ['same', 'valid'] as const) {
      it(`Conv2D matches cpu for x 3×7×6×5, filter 3×3×5×1, stride ${strides}, ${pad}`, () => {
        expectMatchesCpu(
          'Conv2D',
          { x: t(3, 7, 6, 5), filter: t(3, 3, 5, 1) },
          { strides, pad, dataFormat: 'NHWC', dilations: 1 },
        );
      });
      for (const activation of ['linear', 'relu', 'sigmoid'])
        it(`FusedConv2D matches cpu with bias and ${activation}, stride ${strides}, ${pad}`, () => {
          expectMatchesCpu(
            'FusedConv2D',
            { x: t(2, 8, 5, 16), filter: t(3, 3, 16, 1), bias: t(1) },
            { strides, pad, dataFormat: 'NHWC', dilations: 1, activation },
          );
        });
    }
  it('matches cpu where the channels take both paths of the SIMD dot product (9 × 4 + 1 = 37)', () => {
    for (const pad of ['same', 'valid'] as const)
      expectMatchesCpu(
        'FusedConv2D',
        { x: t(2, 5, 4, 37), filter: t(3, 3, 37, 1), bias: t(1) },
        { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, activation: 'sigmoid' },
      );
  });
  it('leaves several filters and other activations to the package kernel, still matching cpu', () => {
    expectMatchesCpu(
      'FusedConv2D',
      { x: t(2, 6, 6, 3), filter: t(3, 3, 3, 4), bias: t(4) },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
    );
    expectMatchesCpu(
      'FusedConv2D',
      { x: t(2, 6, 6, 3), filter: t(3, 3, 3, 1), bias: t(1) },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'elu' },
    );
  });
});

describe('Conv2DBackpropInput on wasm', () => {
  for (const { x, f } of CONV_CASES)
    for (const strides of [1, 2])
      for (const pad of ['same', 'valid'] as const)
        it(`matches cpu for x ${x.join('×')}, filter ${f.join('×')}, stride ${strides}, ${pad}`, () => {
          const info = tf.backend_util.computeConv2DInfo([...x], [...f], strides, 1, pad);
          const dy = t(x[0], info.outHeight, info.outWidth, f[3]);
          expectMatchesCpu(
            'Conv2DBackpropInput',
            { dy, filter: t(...f) },
            { strides, pad, dataFormat: 'NHWC', inputShape: [...x] },
          );
        });
});

describe('training a conv layer on wasm', () => {
  it('gives the same gradients as cpu through tf.grads', () => {
    const x = t(2, 6, 6, 2);
    const w = t(3, 3, 2, 3);
    const grads = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const f = (xx: tf.Tensor, ww: tf.Tensor) =>
          tf
            .conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same')
            .square()
            .sum();
        const [gx, gw] = tf.grads(f)([tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape)]);
        return [gx!.dataSync(), gw!.dataSync()] as const;
      });
    };
    const [cx, cw] = grads('cpu');
    const [wx, ww] = grads('wasm');
    tf.setBackend('wasm');
    for (const [a, b] of [
      [cx, wx],
      [cw, ww],
    ] as const) {
      const scale = Math.max(...Array.from(a, Math.abs));
      const err = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
      expect(err / scale).toBeLessThan(1e-4);
    }
  });
});

describe('Identity on wasm (shares the data)', () => {
  it('matches cpu', () => {
    expectMatchesCpu('Identity', { x: t(3, 4, 5) }, {});
  });

  it('keeps the clone intact when the original is disposed, and frees the data with the last of the two', () => {
    const before = tf.memory().numBytes;
    const a = tf.tensor(t(2, 3).values, [2, 3]);
    const values = Array.from(a.dataSync());
    const b = a.clone();
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual(values);
    const c = tf.tidy(() => b.mul(2));
    expect(Array.from(c.dataSync())).toEqual(values.map((v) => Math.fround(v * 2)));
    b.dispose();
    c.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('leaves a variable and its earlier clone independent after assign', () => {
    const init = tf.tensor([1, 2, 3]);
    const v = tf.variable(init);
    const snapshot = v.clone();
    const next = tf.tensor([7, 8, 9]);
    v.assign(next);
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([init, v, snapshot, next]);
  });
});

describe('Slice on wasm', () => {
  const cases: [number[], number[], number[]][] = [
    [
      [16, 32, 32, 3],
      [0, 2, 2, 0],
      [16, 28, 28, 3],
    ],
    [
      [4, 6, 5, 1],
      [1, 0, 1, 0],
      [2, 6, 3, 1],
    ],
    [
      [5, 7],
      [1, 2],
      [3, -1],
    ],
    [[9], [3], [4]],
    [
      [3, 4, 5],
      [0, 0, 0],
      [3, 4, 5],
    ],
    [
      [2, 3, 4, 5, 6],
      [1, 1, 0, 2, 3],
      [1, 2, 4, 2, 3],
    ],
    // Four outer axes of runs: more than the SIMD copy takes, so the TypeScript loop.
    [
      [2, 3, 4, 5, 6],
      [0, 1, 0, 1, 1],
      [2, 2, 4, 3, 4],
    ],
  ];
  for (const [shape, begin, size] of cases)
    it(`matches cpu slicing ${shape.join('×')} at [${begin}] size [${size}]`, () => {
      expectMatchesCpu('Slice', { x: t(...shape) }, { begin, size });
    });
  it('slices int32 tensors exactly', () => {
    tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.range(0, 60, 1, 'int32').reshape([3, 4, 5]);
      const got = tf.slice(x, [1, 1, 2], [2, 2, 2]);
      expect(got.dtype).toBe('int32');
      expect(Array.from(got.dataSync())).toEqual([27, 28, 32, 33, 47, 48, 52, 53]);
    });
  });
});

describe('Unpack on wasm', () => {
  for (const axis of [0, 1, 2, -1])
    it(`matches cpu unstacking a 3×5×4 tensor along axis ${axis}`, () => {
      const x = t(3, 5, 4);
      const unstack = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() =>
          tf.unstack(tf.tensor(x.values, x.shape), axis).map((p) => [p.shape, Array.from(p.dataSync())]),
        );
      };
      const ref = unstack('cpu');
      const before = tf.memory().numTensors;
      const got = unstack('wasm');
      expect(tf.memory().numTensors).toBe(before);
      tf.setBackend('wasm');
      expect(got).toEqual(ref);
    });
});

describe('SplitV on wasm', () => {
  for (const [shape, splits, axis] of [
    [[4, 12], [3, 4, 5], 1],
    [[4, 12], 3, 1],
    [[6, 2, 3], [1, 5], 0],
    [[2, 6, 3], [2, -1], -2],
  ] as [number[], number | number[], number][])
    it(`matches cpu splitting ${shape.join('×')} into ${JSON.stringify(splits)} along axis ${axis}`, () => {
      const x = t(...shape);
      const split = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() =>
          tf.split(tf.tensor(x.values, x.shape), splits, axis).map((p) => [p.shape, Array.from(p.dataSync())]),
        );
      };
      const ref = split('cpu');
      const before = tf.memory().numTensors;
      const got = split('wasm');
      expect(tf.memory().numTensors).toBe(before);
      tf.setBackend('wasm');
      expect(got).toEqual(ref);
    });
});

describe('MaxPoolGrad on wasm', () => {
  for (const [shape, filterSize, strides, pad] of [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[3, 7, 5, 2], 2, 2, 'same'],
    [[2, 9, 9, 4], 3, 1, 'same'],
    [[2, 9, 7, 1], 3, 2, 'valid'],
    [[3, 7, 7, 16], 2, 2, 'same'],
    [[2, 7, 9, 8], 2, 2, 'valid'],
  ] as [number[], number, number, 'same' | 'valid'][])
    it(`matches cpu for ${shape.join('×')}, pool ${filterSize}, stride ${strides}, ${pad}`, () => {
      const x = t(...shape);
      const info = tf.backend_util.computePool2DInfo(
        shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
      );
      const output = run('cpu', 'MaxPool', { x }, { filterSize, strides, pad });
      const dy = t(shape[0]!, info.outHeight, info.outWidth, shape[3]!);
      expectMatchesCpu(
        'MaxPoolGrad',
        { dy, input: x, output: { values: output.values, shape: output.shape } },
        { filterSize, strides, pad },
      );
    });

  it('gives ties to the first pixel of the window as cpu does (relu outputs are often all 0), and 0 to pixels outside every window', () => {
    for (const shape of [
      [2, 6, 5, 3],
      [2, 6, 5, 4],
    ]) {
      const x = t(...shape);
      // Ties everywhere: most values 0, some windows with two equal maxima.
      x.values = x.values.map((v, i) => (v < 0.3 ? 0 : i % 4 === 0 ? 0.5 : v < 0.6 ? 0.5 : v));
      for (const pad of ['same', 'valid'] as const) {
        const output = run('cpu', 'MaxPool', { x }, { filterSize: 2, strides: 2, pad });
        const dy = t(...output.shape);
        expectMatchesCpu(
          'MaxPoolGrad',
          { dy, input: x, output: { values: output.values, shape: output.shape } },
          { filterSize: 2, strides: 2, pad },
        );
      }
    }
  });
});

describe('ResizeNearestNeighborGrad on wasm', () => {
  // The reference is the exact gradient of the cpu forward resize: each dy
  // value added to the pixel the forward pass copied (found by resizing an
  // image of indices). The cpu backend's own ResizeNearestNeighborGrad is not
  // used for batch > 1: in tfjs 4.22 it gives later images wrong gradients.
  for (const [shape, size, alignCorners, halfPixelCenters] of [
    [[2, 4, 4, 3], [8, 8], false, false],
    [[2, 4, 3, 8], [8, 6], false, false],
    [[2, 7, 5, 2], [14, 10], false, false],
    [[3, 5, 6, 2], [11, 9], true, false],
    [[2, 4, 3, 1], [9, 7], false, true],
  ] as [number[], [number, number], boolean, boolean][])
    it(`matches the exact gradient for ${shape.join('×')} → ${size.join('×')}, alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}`, () => {
      const images = t(...shape);
      const dy = t(shape[0]!, size[0], size[1], shape[3]!);
      tf.setBackend('cpu');
      const ref = tf.tidy(() => {
        const n = images.values.length;
        const src = tf.image
          .resizeNearestNeighbor(tf.range(0, n).reshape(shape) as tf.Tensor4D, size, alignCorners, halfPixelCenters)
          .dataSync();
        const dx = new Float32Array(n);
        src.forEach((from, i) => (dx[from]! += dy.values[i]!));
        return dx;
      });
      const got = run('wasm', 'ResizeNearestNeighborGrad', { images, dy }, { alignCorners, halfPixelCenters });
      tf.setBackend('wasm');
      expect(got.shape).toEqual(shape);
      const scale = Math.max(...Array.from(ref, Math.abs));
      const err = Math.max(...Array.from(ref, (v, i) => Math.abs(v - got.values[i]!)));
      expect(err / scale).toBeLessThan(1e-4);
    });

  it('matches the cpu kernel for a single image', () => {
    expectMatchesCpu(
      'ResizeNearestNeighborGrad',
      { images: t(1, 5, 4, 3), dy: t(1, 10, 8, 3) },
      { alignCorners: false, halfPixelCenters: false },
    );
  });
});
