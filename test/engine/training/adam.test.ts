import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../../../src-main/engine/backends/select.js';
import { setSimdKernels } from '../../../src-main/engine/backends/wasm-kernels/index.js';
import { FusedAdam } from '../../../src-main/engine/training/adam.js';

beforeAll(async () => {
  expect((await selectBackend('wasm')).name).toBe('wasm');
});

/** A small least-squares problem with two variables (a matrix and a bias), seeded. */
function problem(seed: number) {
  const w = tf.variable(tf.randomNormal([7, 5], 0, 1, 'float32', seed));
  const b = tf.variable(tf.randomNormal([5], 0, 1, 'float32', seed + 1));
  const x = tf.randomNormal([16, 7], 0, 1, 'float32', seed + 2);
  const y = tf.randomNormal([16, 5], 0, 1, 'float32', seed + 3);
  const loss = () => tf.tidy(() => x.matMul(w).add(b).sub(y).square().mean() as tf.Scalar);
  return { vars: [w, b], loss, dispose: () => tf.dispose([w, b, x, y]) };
}

/** Runs `steps` Adam steps, with the learning rate changed halfway; returns the variables' final values. */
function train(makeOptimizer: () => tf.Optimizer & { learningRate: number }, backend: string, steps = 30) {
  tf.setBackend(backend);
  const p = problem(3);
  const opt = makeOptimizer();
  for (let s = 0; s < steps; s++) {
    if (s === Math.floor(steps / 2)) opt.learningRate = 0.003;
    opt.minimize(p.loss, false, p.vars);
  }
  const out = p.vars.map((v) => Array.from(v.dataSync()));
  opt.dispose();
  p.dispose();
  tf.setBackend('wasm');
  return out;
}

describe('FusedAdam', () => {
  for (const backend of ['wasm', 'cpu']) {
    const close = (ours: number[][], theirs: number[][], rel: number, abs: number) =>
      ours.forEach((values, i) =>
        values.forEach((x, j) =>
          expect(Math.abs(x - theirs[i]![j]!)).toBeLessThanOrEqual(rel * Math.abs(theirs[i]![j]!) + abs),
        ),
      );
    const adam = () => tf.train.adam(0.05) as tf.AdamOptimizer & { learningRate: number };
    it(`takes the same first steps as tf.train.adam on ${backend} (to a few float32 ulps of the O(1) weights)`, () => {
      close(
        train(() => new FusedAdam(0.05), backend, 2),
        train(adam, backend, 2),
        1e-5,
        1e-6,
      );
    });
    it(`stays on tf.train.adam's path over 30 steps on ${backend}, learning-rate change included`, () => {
      // TF.js rounds to float32 after each of its ops, we once per value: the paths part by float32 rounding only.
      close(
        train(() => new FusedAdam(0.05), backend),
        train(adam, backend),
        1e-4,
        1e-5,
      );
    });
  }

  it('keeps its moments in the wasm heap (our SIMD step) and frees them on dispose', () => {
    const p = problem(4);
    const dataIds = () => tf.engine().backend.numDataIds();
    const opt = new FusedAdam(0.01);
    opt.minimize(p.loss, false, p.vars);
    const during = dataIds();
    opt.minimize(p.loss, false, p.vars);
    expect(dataIds()).toBe(during);
    opt.dispose();
    // Two moment arrays per variable, beside the weights.
    expect(during - dataIds()).toBe(2 * p.vars.length);
    p.dispose();
  });

  it("stays on tf.train.adam's path on wasm with SIMD off (moments in JS)", () => {
    setSimdKernels(false);
    try {
      const ours = train(() => new FusedAdam(0.05), 'wasm');
      const theirs = train(() => tf.train.adam(0.05) as tf.AdamOptimizer & { learningRate: number }, 'wasm');
      ours.forEach((values, i) =>
        values.forEach((x, j) =>
          expect(Math.abs(x - theirs[i]![j]!)).toBeLessThanOrEqual(1e-4 * Math.abs(theirs[i]![j]!) + 1e-5),
        ),
      );
    } finally {
      setSimdKernels(true);
    }
  });

  it('leaves no tensors behind across steps', () => {
    const p = problem(5);
    const opt = new FusedAdam(0.01);
    opt.minimize(p.loss, false, p.vars);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) opt.minimize(p.loss, false, p.vars);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    p.dispose();
  });

  it('picks up a variable assigned from outside between steps', () => {
    const p = problem(7);
    const opt = new FusedAdam(0.01);
    opt.minimize(p.loss, false, p.vars);
    p.vars[1]!.assign(tf.zeros([5]));
    const g = tf.ones([5]);
    opt.applyGradients({ [p.vars[1]!.name]: g });
    // From zeros, not from the values before the assign (drawn from N(0, 1)): an Adam step moves a value by a few lr at most.
    for (const x of p.vars[1]!.dataSync()) expect(Math.abs(x)).toBeLessThan(0.05);
    tf.dispose(g);
    opt.dispose();
    p.dispose();
  });

  it('refuses a learning rate that is not a finite positive number', () => {
    expect(() => new FusedAdam(0)).toThrow(/learning rate must be a finite number > 0, got 0/);
    expect(() => new FusedAdam(Number.NaN)).toThrow(/got NaN/);
  });
});
