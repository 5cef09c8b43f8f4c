import type { Repulsion } from './gradient.js';

/**
 * Barnes-Hut repulsion on a quadtree held in flat typed arrays. A cell is summarised by its centre of mass
 * when (cell width)² < θ² · (distance to its centre of mass)².
 */
export class BarnesHutRepulsion implements Repulsion {
  readonly name = 'barnes-hut' as const;
  private cap = 0;
  private cx = new Float64Array(0);
  private cy = new Float64Array(0);
  private hw = new Float64Array(0);
  private comX = new Float64Array(0);
  private comY = new Float64Array(0);
  private count = new Int32Array(0);
  private child = new Int32Array(0);
  private size = 0;
  private stack = new Int32Array(0);

  constructor(readonly theta = 0.5) {}

  private ensure(cap: number): void {
    if (cap <= this.cap) return;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (m: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.size));
      return b;
    };
    const f = (m: number) => new Float64Array(m);
    this.cx = grow(this.cx, f);
    this.cy = grow(this.cy, f);
    this.hw = grow(this.hw, f);
    this.comX = grow(this.comX, f);
    this.comY = grow(this.comY, f);
    this.count = grow(this.count, (m) => new Int32Array(m));
    this.child = grow(this.child, (m) => new Int32Array(m));
    this.cap = cap;
  }

  private newNode(cx: number, cy: number, hw: number): number {
    if (this.size + 1 > this.cap) this.ensure(this.cap * 2);
    const k = this.size++;
    this.cx[k] = cx;
    this.cy[k] = cy;
    this.hw[k] = hw;
    this.comX[k] = 0;
    this.comY[k] = 0;
    this.count[k] = 0;
    this.child[k] = -1;
    return k;
  }

  /** Creates the 4 children of `node` (contiguous) and returns the first. */
  private split(node: number): number {
    const h = this.hw[node] / 2;
    const x = this.cx[node];
    const yy = this.cy[node];
    if (this.size + 4 > this.cap) this.ensure(Math.max(this.cap * 2, this.size + 4));
    const first = this.newNode(x - h, yy - h, h);
    this.newNode(x + h, yy - h, h);
    this.newNode(x - h, yy + h, h);
    this.newNode(x + h, yy + h, h);
    return first;
  }

  /** Builds the tree over y (n×2). */
  build(y: Float64Array, n: number): void {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    const half = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
    this.size = 0;
    this.ensure(Math.max(64, 4 * n));
    const root = this.newNode((minX + maxX) / 2, (minY + maxY) / 2, half);
    const minHalf = half * 1e-12;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i];
      const py = y[2 * i + 1];
      let node = root;
      for (;;) {
        const c = this.count[node];
        if (this.child[node] < 0) {
          if (c === 0 || this.hw[node] < minHalf || (this.comX[node] === px && this.comY[node] === py)) {
            // Empty leaf, or a duplicate / too-deep point: the leaf just counts one more.
            this.comX[node] = (this.comX[node] * c + px) / (c + 1);
            this.comY[node] = (this.comY[node] * c + py) / (c + 1);
            this.count[node] = c + 1;
            break;
          }
          // Occupied leaf: push its points down into the matching child, then keep descending.
          const first = this.split(node);
          this.child[node] = first;
          const ox = this.comX[node];
          const oy = this.comY[node];
          const q = first + (ox > this.cx[node] ? 1 : 0) + (oy > this.cy[node] ? 2 : 0);
          this.comX[q] = ox;
          this.comY[q] = oy;
          this.count[q] = c;
        }
        this.comX[node] = (this.comX[node] * c + px) / (c + 1);
        this.comY[node] = (this.comY[node] * c + py) / (c + 1);
        this.count[node] = c + 1;
        node = this.child[node] + (px > this.cx[node] ? 1 : 0) + (py > this.cy[node] ? 2 : 0);
      }
    }
  }

  compute(y: Float64Array, n: number, out: Float64Array): number {
    this.build(y, n);
    if (this.stack.length < 4 * 64 + 8) this.stack = new Int32Array(4 * 64 + 8);
    const { comX, comY, count, child, hw } = this;
    const theta2 = this.theta * this.theta;
    let stack = this.stack;
    let z = 0;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i];
      const py = y[2 * i + 1];
      let f0 = 0;
      let f1 = 0;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top];
        const c = count[node];
        if (c === 0) continue;
        const dx = px - comX[node];
        const dy = py - comY[node];
        const d2 = dx * dx + dy * dy;
        const first = child[node];
        if (first < 0 || 4 * hw[node] * hw[node] < theta2 * d2) {
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
            stack = this.stack = s;
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
}
