/**
 * The engine's one seeded source of randomness (mulberry32: tiny, fast and
 * good enough for initialisation, shuffling and sampling). Every stochastic
 * step (t-SNE, UMAP, PCA, metrics' sampling, k-means++, training's shuffles)
 * takes one, injected, so the same seed gives the same run.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/**
 * A seeded `Random`. `next` is a plain closure, so it can be handed on where
 * a `() => number` is wanted (umap-js, k-means, the training shuffle).
 * Seed 0 is mapped to a fixed non-zero state, as t-SNE always did.
 */
export function createRandom(seed: number): Random {
  let s = seed >>> 0 || 0x9e3779b9;
  let spare = NaN;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal() {
      if (!Number.isNaN(spare)) {
        const v = spare;
        spare = NaN;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const r = Math.sqrt(-2 * Math.log(u));
      const a = 2 * Math.PI * next();
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    },
  };
}
