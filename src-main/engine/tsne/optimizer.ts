/**
 * Gradient descent with momentum and per-coordinate gains (Jacobs 1988), as in bhtsne, sklearn and openTSNE.
 * Holds the state between steps; `reset()` starts a new phase (openTSNE resets at the end of early exaggeration).
 */
export class Optimizer {
  readonly update: Float64Array;
  readonly gains: Float64Array;

  constructor(
    readonly size: number,
    readonly minGain = 0.01,
  ) {
    this.update = new Float64Array(size);
    this.gains = new Float64Array(size).fill(1);
  }

  reset(): void {
    this.update.fill(0);
    this.gains.fill(1);
  }

  /** y ← y + (momentum·update − learningRate·gain·grad), then re-centres y (n×2) on the origin. */
  step(y: Float64Array, grad: Float64Array, learningRate: number, momentum: number): void {
    const { update, gains, minGain } = this;
    let s0 = 0;
    let s1 = 0;
    for (let t = 0; t < this.size; t++) {
      const g = grad[t];
      const u = update[t];
      let gain = g > 0 !== u > 0 ? gains[t] + 0.2 : gains[t] * 0.8;
      if (gain < minGain) gain = minGain;
      gains[t] = gain;
      const nu = momentum * u - learningRate * gain * g;
      update[t] = nu;
      y[t] += nu;
      if (t & 1) s1 += y[t];
      else s0 += y[t];
    }
    const n = this.size / 2;
    s0 /= n;
    s1 /= n;
    for (let t = 0; t < this.size; t += 2) {
      y[t] -= s0;
      y[t + 1] -= s1;
    }
  }
}
