import { execFileSync } from 'node:child_process';

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { FUSED_WASM_KERNELS, setSimdKernels } from '../../../src-main/engine/backends/wasm-kernels/index.js';
import { heapOffset, setSimdEnabled, simdKernels } from '../../../src-main/engine/backends/wasm-kernels/simd/index.js';
import { bceElements, meanBce } from '../../../src-main/engine/models/common.js';
import { BCE_KERNEL, hasKernel } from '../../../src-main/engine/models/fused-kernels.js';
import { binaryIsCurrent, compileSimd } from '../../../src-main/tools/build-simd.js';
import { expectMatchesCpu, random } from './kernel-check.js';

const rnd = random(11);
const t = (...shape: number[]) => ({ values: rnd(shape.reduce((a, b) => a * b, 1)), shape });

function hasClang(): boolean {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

afterEach(() => setSimdKernels(true));

describe('the SIMD module', () => {
  it('loads into the wasm backend and registers the fused kernels', () => {
    expect(simdKernels(tf.backend() as BackendWasm)).not.toBeNull();
    for (const name of Object.keys(FUSED_WASM_KERNELS)) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(hasKernel(BCE_KERNEL)).toBe(true);
  });

  it.skipIf(!hasClang())(
    'is committed as the build of kernels.c (skipped without clang and wasm-ld: apt-get install clang lld)',
    () => {
      expect(binaryIsCurrent(compileSimd(false), compileSimd(true))).toBe(true);
    },
  );

  it('computes log to within 2 ulp of Math.log from 1e-7 to 1e7', () => {
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend)!;
    const n = 4096;
    const values = Float32Array.from({ length: n }, (_, i) => Math.fround(10 ** (-7 + (14 * i) / (n - 1))));
    const src = tf.tensor(values);
    const dst = tf.zeros([n]);
    simd.log_f32(heapOffset(backend, src), heapOffset(backend, dst), n);
    const got = dst.dataSync();
    let worst = 0;
    values.forEach(
      (v, i) => (worst = Math.max(worst, Math.abs(got[i]! - Math.log(v)) / Math.max(1e-30, Math.abs(Math.log(v))))),
    );
    tf.dispose([src, dst]);
    expect(worst).toBeLessThan(2.4e-7);
  });
});

describe('Sum on wasm (every axis but the last in one pass)', () => {
  for (const [shape, axis, keepDims] of [
    [[3, 5, 7, 16], [0, 1, 2], false],
    [[3, 5, 7, 16], [2, 0, 1], true],
    [[10, 6], 0, false],
    [[4, 3, 5], [0, 1], false],
    [[4, 3, 5], [1], false],
    [[4, 3, 8], [0, 2], true],
    [[4, 3, 8], null, false],
  ] as [number[], number | number[] | null, boolean][])
    it(`matches cpu summing ${shape.join('×')} over ${JSON.stringify(axis)}${keepDims ? ', keeping dims' : ''}`, () => {
      expectMatchesCpu('Sum', { x: t(...shape) }, { axis: axis ?? [...shape.keys()], keepDims });
    });

  it('matches cpu when SIMD is off (the package kernel)', () => {
    setSimdKernels(false);
    expectMatchesCpu('Sum', { x: t(3, 5, 7, 16) }, { axis: [0, 1, 2], keepDims: false });
  });
});

describe('fused binary cross-entropy on wasm', () => {
  /** Targets in [0, 1] with exact 0s and 1s, predictions with some at or beyond the clip. */
  function batch(n: number) {
    const u = random(5)(2 * n);
    const x = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : (u[i]! + 1) / 2));
    const y = Float32Array.from({ length: n }, (_, i) =>
      i % 13 === 0 ? 0 : i % 17 === 0 ? 1 : i % 19 === 0 ? 1e-9 : (u[n + i]! + 1) / 2,
    );
    return { x, y };
  }

  /** The mean BCE and its gradient in float64, from the definition (clip, two logs, the clip's gradient). */
  function reference(x: Float32Array, y: Float32Array) {
    const eps = 1e-7;
    let sum = 0;
    const grad = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const yc = Math.min(Math.max(y[i]!, Math.fround(eps)), Math.fround(1 - eps));
      sum += x[i]! * Math.log(yc) + (1 - x[i]!) * Math.log(1 - yc);
      grad[i] = yc === y[i] ? (yc - x[i]!) / (yc * (1 - yc)) / y.length : 0;
    }
    return { value: -sum / y.length, grad };
  }

  for (const n of [256 * 784, 1027, 3])
    it(`gives the mean and its gradient to 1e-5 of float64 for ${n} values (clipped ones get no gradient)`, () => {
      const { x, y } = batch(n);
      const ref = reference(x, y);
      const before = tf.memory().numTensors;
      const xt = tf.tensor(x);
      const yt = tf.tensor(y);
      const [value, grad] = tf.tidy(() => {
        const f = tf.valueAndGrad((yy: tf.Tensor) => meanBce(xt, yy));
        const { value, grad } = f(yt);
        return [value, grad];
      });
      expect(Math.abs(value!.dataSync()[0]! - ref.value) / ref.value).toBeLessThan(1e-5);
      const g = grad!.dataSync();
      let scale = 0;
      let err = 0;
      ref.grad.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        err = Math.max(err, Math.abs(v - g[i]!));
        if (v === 0) expect(g[i]).toBe(0);
      });
      expect(err / scale).toBeLessThan(1e-5);
      tf.dispose([xt, yt, value!, grad!]);
      expect(tf.memory().numTensors).toBe(before);
    });

  it('equals the tensor-op path (SIMD off: the kernel is unregistered) to 1e-5', () => {
    const { x, y } = batch(5000);
    const xt = tf.tensor(x);
    const yt = tf.tensor(y);
    const both = [true, false].map((on) => {
      setSimdKernels(on);
      expect(hasKernel(BCE_KERNEL)).toBe(on);
      return tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((yy: tf.Tensor) => meanBce(xt, yy))(yt);
        return {
          value: value.dataSync()[0]!,
          grad: grad.dataSync(),
          elements: bceElements(xt, yt).mean().dataSync()[0]!,
        };
      });
    });
    expect(Math.abs(both[0]!.value - both[1]!.value) / both[1]!.value).toBeLessThan(1e-5);
    expect(Math.abs(both[0]!.value - both[0]!.elements) / both[0]!.elements).toBeLessThan(1e-5);
    let err = 0;
    let scale = 0;
    both[1]!.grad.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(v - both[0]!.grad[i]!));
    });
    expect(err / scale).toBeLessThan(1e-5);
    tf.dispose([xt, yt]);
  });

  it('refuses with the kernel named if it is ever left registered without the SIMD module', () => {
    setSimdEnabled(false);
    try {
      const x = tf.ones([4]);
      expect(() => tf.engine().runKernel(BCE_KERNEL, { y: x, x }, { eps: 1e-7, scale: 0.25 })).toThrow(
        /AeBinaryCrossEntropy is registered but our SIMD kernels cannot run/,
      );
      x.dispose();
    } finally {
      setSimdEnabled(true);
    }
  });

  it('scales the gradient by the upstream gradient', () => {
    const { x, y } = batch(64);
    const xt = tf.tensor(x);
    const yt = tf.tensor(y);
    const [g1, g3] = [1, 3].map((k) =>
      tf.tidy(() =>
        tf
          .grad((yy: tf.Tensor) => meanBce(xt, yy).mul(k))(yt)
          .dataSync(),
      ),
    );
    g1!.forEach((v, i) => expect(g3![i]).toBeCloseTo(3 * v, 5));
    tf.dispose([xt, yt]);
  });
});

describe('ResizeNearestNeighbor on wasm (2× upsampling as block copies)', () => {
  for (const [shape, size, alignCorners, halfPixelCenters] of [
    [[2, 4, 3, 8], [8, 6], false, false],
    [[2, 4, 3, 3], [8, 6], false, false],
    [[2, 4, 3, 8], [8, 6], false, true],
    [[1, 3, 5, 4], [7, 9], true, false],
  ] as [number[], [number, number], boolean, boolean][])
    it(`matches cpu for ${shape.join('×')} → ${size.join('×')}, alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}`, () => {
      expectMatchesCpu('ResizeNearestNeighbor', { images: t(...shape) }, { alignCorners, halfPixelCenters, size });
    });
});

describe("Relu's gradient on wasm (one pass)", () => {
  for (const simd of [true, false])
    it(`matches cpu through tf.grad, zeros and negatives included${simd ? '' : ' (SIMD off)'}`, () => {
      setSimdKernels(simd);
      const x = t(3, 7, 5, 6);
      x.values = x.values.map((v, i) => (i % 9 === 0 ? 0 : v));
      const dy = t(3, 7, 5, 6);
      const grad = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() =>
          tf
            .grad((xx: tf.Tensor) => tf.relu(xx).mul(tf.tensor(dy.values, dy.shape)).sum())(
              tf.tensor(x.values, x.shape),
            )
            .dataSync(),
        );
      };
      const ref = grad('cpu');
      const before = tf.memory().numTensors;
      const got = grad('wasm');
      expect(tf.memory().numTensors).toBe(before);
      // Equal as numbers: tfjs-core's dy·0 gives −0 where dy < 0, ours +0.
      expect(Array.from(got, (v) => v + 0)).toEqual(Array.from(ref, (v) => v + 0));
    });
});

describe('PadV2 on wasm (fill, then the input as runs)', () => {
  for (const [shape, paddings, constantValue] of [
    [
      [2, 28, 28, 4],
      [
        [0, 0],
        [2, 2],
        [2, 2],
        [0, 0],
      ],
      0,
    ],
    [
      [2, 5, 6, 3],
      [
        [0, 0],
        [1, 0],
        [0, 3],
        [0, 0],
      ],
      0,
    ],
    [
      [3, 4],
      [
        [1, 2],
        [0, 0],
      ],
      -1.5,
    ],
    [[7], [[2, 3]], 2],
    [
      [2, 2, 3, 2, 2],
      [
        [0, 1],
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
      ],
      0,
    ],
  ] as [number[], [number, number][], number][])
    for (const simd of [true, false])
      it(`matches cpu padding ${shape.join('×')} by ${JSON.stringify(paddings)} with ${constantValue}${simd ? '' : ' (SIMD off)'}`, () => {
        setSimdKernels(simd);
        expectMatchesCpu('PadV2', { x: t(...shape) }, { paddings, constantValue });
      });
});

describe('Add on wasm (a bias over the last axis in one pass)', () => {
  for (const [a, b] of [
    [[4, 5, 6, 16], [16]],
    [[16], [4, 5, 6, 16]],
    [[9, 7], [7]],
    [
      [3, 4],
      [3, 4],
    ],
    [[3, 4], [1]],
    [[3, 1], [4]],
  ] as [number[], number[]][])
    it(`matches cpu adding ${a.join('×')} and ${b.join('×')}`, () => {
      expectMatchesCpu('Add', { a: t(...a), b: t(...b) }, {});
    });
});

describe('the TypeScript and XNNPACK paths with SIMD off', () => {
  it('still match cpu: one-filter conv, slice, filter gradient, max-pool gradient', () => {
    setSimdKernels(false);
    expectMatchesCpu(
      'FusedConv2D',
      { x: t(2, 8, 5, 16), filter: t(3, 3, 16, 1), bias: t(1) },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'sigmoid' },
    );
    expectMatchesCpu('Slice', { x: t(4, 8, 8, 4) }, { begin: [0, 2, 2, 0], size: [4, 4, 4, 4] });
    expectMatchesCpu(
      'Conv2DBackpropFilter',
      { x: t(2, 6, 7, 16), dy: t(2, 6, 7, 1) },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 1] },
    );
    const x = t(2, 6, 6, 8);
    const output = tf.tidy(() => {
      tf.setBackend('cpu');
      const o = tf.maxPool(tf.tensor4d(x.values, [2, 6, 6, 8]), 2, 2, 'valid');
      return { values: o.dataSync() as Float32Array, shape: o.shape };
    });
    tf.setBackend('wasm');
    expectMatchesCpu(
      'MaxPoolGrad',
      { dy: t(2, 3, 3, 8), input: x, output },
      { filterSize: 2, strides: 2, pad: 'valid' },
    );
  });
});

describe('Conv2D with one input channel on wasm (the first layer, XNNPACK)', () => {
  for (const co of [16, 8, 3, 80])
    for (const strides of [1, 2])
      for (const pad of ['same', 'valid'] as const)
        it(`matches cpu for x 2×9×7×1, filter 3×3×1×${co}, stride ${strides}, ${pad}`, () => {
          expectMatchesCpu(
            'Conv2D',
            { x: t(2, 9, 7, 1), filter: t(3, 3, 1, co) },
            { strides, pad, dataFormat: 'NHWC', dilations: 1 },
          );
        });
});
