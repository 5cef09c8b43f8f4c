import type { Repulsion } from './gradient.js';

/** A quadtree in flat typed arrays; children of a node are 4 consecutive nodes starting at child[node]. */
export interface QuadTree {
  size: number;
  cap: number;
  cx: Float64Array;
  cy: Float64Array;
  hw: Float64Array;
  comX: Float64Array;
  comY: Float64Array;
  count: Int32Array;
  child: Int32Array;
  stack: Int32Array;
}

/** An empty tree; arrays grow on demand. */
export function emptyQuadTree(): QuadTree {
  const f = () => new Float64Array(0);
  return {
    size: 0,
    cap: 0,
    cx: f(),
    cy: f(),
    hw: f(),
    comX: f(),
    comY: f(),
    count: new Int32Array(0),
    child: new Int32Array(0),
    stack: new Int32Array(64),
  };
}

/**
 * Builds the quadtree of y (n×2); the helper thread (attraction-worker.ts) builds the same tree for its share.
 */
export function buildQuadTree(y: Float64Array, n: number, tree: QuadTree): void {
  const grow = (cap: number) => {
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, tree.size));
      return b;
    };
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, tree.size));
      return b;
    };
    tree.cx = g64(tree.cx);
    tree.cy = g64(tree.cy);
    tree.hw = g64(tree.hw);
    tree.comX = g64(tree.comX);
    tree.comY = g64(tree.comY);
    tree.count = g32(tree.count);
    tree.child = g32(tree.child);
    tree.cap = cap;
  };
  const node = (x: number, yy: number, h: number) => {
    if (tree.size >= tree.cap) grow(tree.cap * 2);
    const k = tree.size++;
    tree.cx[k] = x;
    tree.cy[k] = yy;
    tree.hw[k] = h;
    tree.comX[k] = 0;
    tree.comY[k] = 0;
    tree.count[k] = 0;
    tree.child[k] = -1;
    return k;
  };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[2 * i];
    const b = y[2 * i + 1];
    if (a < minX) minX = a;
    if (a > maxX) maxX = a;
    if (b < minY) minY = b;
    if (b > maxY) maxY = b;
  }
  const half = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
  tree.size = 0;
  if (tree.cap < 4 * n + 64) grow(4 * n + 64);
  const root = node((minX + maxX) / 2, (minY + maxY) / 2, half);
  const minHalf = half * 1e-12;
  for (let i = 0; i < n; i++) {
    const px = y[2 * i];
    const py = y[2 * i + 1];
    let k = root;
    for (;;) {
      const c = tree.count[k];
      if (tree.child[k] < 0) {
        if (c === 0 || tree.hw[k] < minHalf || (tree.comX[k] === px && tree.comY[k] === py)) {
          // Empty leaf, or a duplicate / too-deep point: the leaf just counts one more.
          tree.comX[k] = (tree.comX[k] * c + px) / (c + 1);
          tree.comY[k] = (tree.comY[k] * c + py) / (c + 1);
          tree.count[k] = c + 1;
          break;
        }
        // Occupied leaf: push its points down into the matching child, then keep descending.
        const h = tree.hw[k] / 2;
        const x0 = tree.cx[k];
        const y0 = tree.cy[k];
        const first = node(x0 - h, y0 - h, h);
        node(x0 + h, y0 - h, h);
        node(x0 - h, y0 + h, h);
        node(x0 + h, y0 + h, h);
        tree.child[k] = first;
        const ox = tree.comX[k];
        const oy = tree.comY[k];
        const q = first + (ox > x0 ? 1 : 0) + (oy > y0 ? 2 : 0);
        tree.comX[q] = ox;
        tree.comY[q] = oy;
        tree.count[q] = c;
      }
      tree.comX[k] = (tree.comX[k] * c + px) / (c + 1);
      tree.comY[k] = (tree.comY[k] * c + py) / (c + 1);
      tree.count[k] = c + 1;
      k = tree.child[k] + (px > tree.cx[k] ? 1 : 0) + (py > tree.cy[k] ? 2 : 0);
    }
  }
}

/**
 * Repulsion r_i = Σ_j w_ij² (y_i − y_j) for points [i0, i1) from the tree, written to out; returns their part of Z.
 * A cell is summarised by its centre of mass when (cell width)² < θ² · (distance to it)².
 */
export function traverseQuadTree(
  y: Float64Array,
  theta: number,
  i0: number,
  i1: number,
  out: Float64Array,
  tree: QuadTree,
): number {
  const { comX, comY, count, child, hw } = tree;
  const theta2 = theta * theta;
  let stack = tree.stack;
  let z = 0;
  for (let i = i0; i < i1; i++) {
    const px = y[2 * i];
    const py = y[2 * i + 1];
    let f0 = 0;
    let f1 = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const k = stack[--top];
      const c = count[k];
      if (c === 0) continue;
      const dx = px - comX[k];
      const dy = py - comY[k];
      const d2 = dx * dx + dy * dy;
      const first = child[k];
      if (first < 0 || 4 * hw[k] * hw[k] < theta2 * d2) {
        // A leaf at distance 0 holds this point itself (and its duplicates): they do not repel.
        const m = first < 0 && d2 === 0 ? c - 1 : c;
        if (m === 0) continue;
        const w = 1 / (1 + d2);
        z += m * w;
        const mw2 = m * w * w;
        f0 += mw2 * dx;
        f1 += mw2 * dy;
      } else {
        if (top + 4 > stack.length) {
          const s = new Int32Array(stack.length * 2);
          s.set(stack);
          stack = tree.stack = s;
        }
        stack[top++] = first;
        stack[top++] = first + 1;
        stack[top++] = first + 2;
        stack[top++] = first + 3;
      }
    }
    out[2 * i] = f0;
    out[2 * i + 1] = f1;
  }
  return z;
}

/** Where the point range is split between the calling thread [0, s) and a helper thread [s, n). */
export function barnesHutSplit(n: number): number {
  // The helper also computes the attractive forces, so it takes the smaller share.
  return Math.floor(n * 0.6);
}

/** Barnes-Hut repulsion (θ adjustable; 0 is exact). */
export class BarnesHutRepulsion implements Repulsion {
  readonly name = 'barnes-hut' as const;
  private readonly tree = emptyQuadTree();

  constructor(readonly theta = 0.5) {}

  compute(y: Float64Array, n: number, out: Float64Array): number {
    buildQuadTree(y, n, this.tree);
    const s = barnesHutSplit(n);
    // Summed in the same two parts as when a helper thread takes [s, n), so results match bit for bit.
    const z1 = traverseQuadTree(y, this.theta, 0, s, out, this.tree);
    const z2 = traverseQuadTree(y, this.theta, s, n, out, this.tree);
    return z1 + z2;
  }

  /** Builds the tree and computes points [0, barnesHutSplit(n)) only; the helper thread does the rest. */
  computeFirstPart(y: Float64Array, n: number, out: Float64Array): number {
    buildQuadTree(y, n, this.tree);
    return traverseQuadTree(y, this.theta, 0, barnesHutSplit(n), out, this.tree);
  }
}
