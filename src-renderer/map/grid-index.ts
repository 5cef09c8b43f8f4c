/**
 * A uniform-grid spatial index over 2D points, for hover picking and box
 * queries without touching every point. Built in O(n) with a counting sort;
 * a nearest-point query visits only the cells within the search radius.
 */
export class GridIndex {
  private readonly minX: number;
  private readonly minY: number;
  private readonly cell: number;
  private readonly cols: number;
  private readonly rows: number;
  /** Start of each cell's run in `order` (length cols·rows + 1). */
  private readonly starts: Int32Array;
  /** Point indices sorted by cell. */
  private readonly order: Int32Array;

  /** positions: n×2 row-major; targetPerCell: average points per occupied cell. */
  constructor(
    private readonly positions: Float32Array,
    targetPerCell = 4,
  ) {
    const n = positions.length >> 1;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = positions[2 * i];
      const y = positions[2 * i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (n === 0) minX = minY = maxX = maxY = 0;
    const w = Math.max(maxX - minX, 1e-9);
    const h = Math.max(maxY - minY, 1e-9);
    const cells = Math.max(1, Math.min(n / targetPerCell, 4_000_000));
    this.cell = Math.max(Math.sqrt((w * h) / cells), w / 4096, h / 4096);
    this.cols = Math.max(1, Math.ceil(w / this.cell) + 1);
    this.rows = Math.max(1, Math.ceil(h / this.cell) + 1);
    this.minX = minX;
    this.minY = minY;
    const cellOf = new Int32Array(n);
    const counts = new Int32Array(this.cols * this.rows + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellIndex(positions[2 * i], positions[2 * i + 1]);
      cellOf[i] = c;
      counts[c + 1]++;
    }
    for (let c = 1; c < counts.length; c++) counts[c] += counts[c - 1];
    this.starts = counts.slice();
    const fill = counts;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[fill[cellOf[i]]++] = i;
  }

  private col(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.minX) / this.cell)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cell)));
  }

  private cellIndex(x: number, y: number): number {
    return this.row(y) * this.cols + this.col(x);
  }

  /**
   * The index of the point nearest to (x, y) within `radius`, or -1.
   * `accept` can exclude points (e.g. hidden classes).
   */
  nearest(x: number, y: number, radius: number, accept?: (i: number) => boolean): number {
    const p = this.positions;
    let best = -1;
    let bestD = radius * radius;
    const c0 = this.col(x - radius);
    const c1 = this.col(x + radius);
    const r0 = this.row(y - radius);
    const r1 = this.row(y + radius);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        for (let k = this.starts[cell]; k < this.starts[cell + 1]; k++) {
          const i = this.order[k];
          const dx = p[2 * i] - x;
          const dy = p[2 * i + 1] - y;
          const d = dx * dx + dy * dy;
          if (d <= bestD && (!accept || accept(i))) {
            if (d < bestD || i < best || best < 0) best = i;
            bestD = d;
          }
        }
      }
    }
    return best;
  }

  /**
   * The best neighbour of point `from` in direction (dx, dy): among points
   * within 60° of the direction, the one minimising distance·(2 − cos θ), so
   * near and straight ahead wins. -1 when there is none.
   */
  neighbourInDirection(from: number, dx: number, dy: number, accept?: (i: number) => boolean): number {
    const p = this.positions;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const x = p[2 * from];
    const y = p[2 * from + 1];
    let best = -1;
    let bestScore = Infinity;
    const maxR = (Math.max(this.cols, this.rows) + 1) * this.cell;
    // Grow the search square until no unvisited point could score better (score ≥ distance).
    for (let r = this.cell; ; r *= 2) {
      const c0 = this.col(x - r);
      const c1 = this.col(x + r);
      const r0 = this.row(y - r);
      const r1 = this.row(y + r);
      for (let row = r0; row <= r1; row++) {
        for (let c = c0; c <= c1; c++) {
          const cell = row * this.cols + c;
          for (let k = this.starts[cell]; k < this.starts[cell + 1]; k++) {
            const i = this.order[k];
            if (i === from) continue;
            const ex = p[2 * i] - x;
            const ey = p[2 * i + 1] - y;
            const d = Math.hypot(ex, ey);
            if (d === 0) continue;
            const cos = (ex * ux + ey * uy) / d;
            if (cos < 0.5) continue;
            const score = d * (2 - cos);
            if (score < bestScore && (!accept || accept(i))) {
              bestScore = score;
              best = i;
            }
          }
        }
      }
      if (bestScore <= r || r > maxR) return best;
    }
  }

  /** Indices of the points inside the axis-aligned box. */
  inBox(x0: number, y0: number, x1: number, y1: number): number[] {
    const out: number[] = [];
    const p = this.positions;
    for (let r = this.row(Math.min(y0, y1)); r <= this.row(Math.max(y0, y1)); r++) {
      for (let c = this.col(Math.min(x0, x1)); c <= this.col(Math.max(x0, x1)); c++) {
        const cell = r * this.cols + c;
        for (let k = this.starts[cell]; k < this.starts[cell + 1]; k++) {
          const i = this.order[k];
          const x = p[2 * i];
          const y = p[2 * i + 1];
          if (x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1))
            out.push(i);
        }
      }
    }
    return out;
  }
}
