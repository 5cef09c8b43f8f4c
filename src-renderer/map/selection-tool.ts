/** The shapes a selection drag can draw. */
export type SelectMode = 'lasso' | 'box';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Draws a lasso or box as an SVG polygon over the map while the user drags, and
 * hands back the shape in screen pixels. The ScatterPlot turns it into world
 * coordinates and asks the spatial index which points it holds.
 */
export class SelectionTool {
  private readonly svg = document.createElementNS(SVG, 'svg');
  private readonly shape = document.createElementNS(SVG, 'polygon');
  private points: number[] = [];
  private mode: SelectMode = 'lasso';

  constructor(
    container: HTMLElement,
    private readonly color: () => string,
  ) {
    this.svg.setAttribute(
      'style',
      'position:absolute;inset:0;width:100%;height:100%;pointer-events:none;overflow:visible',
    );
    this.svg.dataset.testid = 'selection-overlay';
    this.shape.setAttribute('stroke-width', '1.5');
    this.shape.setAttribute('stroke-dasharray', '5 4');
    this.shape.setAttribute('fill-opacity', '0.12');
    this.svg.appendChild(this.shape);
    container.appendChild(this.svg);
  }

  get active(): boolean {
    return this.points.length > 0;
  }

  begin(mode: SelectMode, x: number, y: number): void {
    this.mode = mode;
    this.points = [x, y];
    this.draw();
  }

  move(x: number, y: number): void {
    if (!this.active) return;
    if (this.mode === 'box') this.points = [this.points[0], this.points[1], x, y];
    else {
      const n = this.points.length;
      // Skip sub-pixel moves: a lasso of thousands of vertices slows the point-in-polygon test.
      if (Math.hypot(x - this.points[n - 2], y - this.points[n - 1]) < 2) return;
      this.points.push(x, y);
    }
    this.draw();
  }

  /** Ends the drag; returns the polygon in screen pixels (a box as its four corners), or null if too small. */
  end(): number[] | null {
    const p = this.points;
    this.points = [];
    this.draw();
    if (this.mode === 'box') {
      if (p.length < 4 || Math.abs(p[2] - p[0]) < 3 || Math.abs(p[3] - p[1]) < 3) return null;
      return [p[0], p[1], p[2], p[1], p[2], p[3], p[0], p[3]];
    }
    return p.length >= 6 ? p : null;
  }

  private draw(): void {
    const p = this.points;
    let pts = p;
    if (this.mode === 'box' && p.length >= 4) pts = [p[0], p[1], p[2], p[1], p[2], p[3], p[0], p[3]];
    const text: string[] = [];
    for (let k = 0; k + 1 < pts.length; k += 2) text.push(`${pts[k]},${pts[k + 1]}`);
    this.shape.setAttribute('points', pts.length >= 4 ? text.join(' ') : '');
    const c = this.color();
    this.shape.setAttribute('stroke', c);
    this.shape.setAttribute('fill', c);
  }

  dispose(): void {
    this.svg.remove();
  }
}
