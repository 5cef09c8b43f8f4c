import * as THREE from 'three';
import { GridIndex } from './grid-index.js';
import { HighlightLayer, PointsLayer, type Layer } from './layers.js';

/** Events a ScatterPlot emits. */
export interface ScatterEvents {
  /** The point under the cursor changed (-1 = none); x, y are CSS pixels in the container. */
  hover: (index: number, x: number, y: number) => void;
  /** A point was clicked (-1 = empty space). */
  click: (index: number) => void;
}

/**
 * Owns the three.js renderer, the orthographic camera, pan/zoom and resize,
 * and draws its layers. Picking goes through a grid index, never ray-casting.
 */
export class ScatterPlot {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.OrthographicCamera(-1, 1, 1, -1, -10, 10);
  private readonly points = new PointsLayer();
  private readonly highlight: HighlightLayer;
  private readonly layers: Layer[];
  private readonly listeners: { [K in keyof ScatterEvents]: Set<ScatterEvents[K]> } = {
    hover: new Set(),
    click: new Set(),
  };
  private readonly resizeObserver: ResizeObserver;
  private positions: Float32Array = new Float32Array(0);
  private index: GridIndex | null = null;
  private hidden = new Set<number>();
  private labels: Int32Array = new Int32Array(0);
  /** View centre in world units, and world units per CSS pixel. */
  private cx = 0;
  private cy = 0;
  private scale = 1;
  private width = 1;
  private height = 1;
  private hovered = -1;
  private frameRequested = false;
  private drag: { x: number; y: number; moved: boolean } | null = null;
  /** Whether the user has moved the view (then new positions no longer refit it). */
  private userMoved = false;
  private readonly cleanup: (() => void)[] = [];

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.domElement.tabIndex = 0;
    this.renderer.domElement.setAttribute('aria-label', 'Projection map: drag to pan, wheel to zoom, F to fit');
    container.appendChild(this.renderer.domElement);
    this.highlight = new HighlightLayer(getComputedStyle(container).getPropertyValue('--text').trim() || '#111');
    this.layers = [this.points, this.highlight];
    for (const l of this.layers) l.setScene(this.scene);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
    this.bindInput();
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ScatterEvents>(event: K, listener: ScatterEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Sets n×2 positions; fits the view unless the user has moved it. */
  setPositions(positions: Float32Array): void {
    this.positions = positions;
    this.index = new GridIndex(positions);
    for (const l of this.layers) l.onPositionsChanged(positions);
    if (this.labels.length === positions.length >> 1) this.points.setLabels(this.labels, this.hidden);
    if (!this.userMoved) this.fit();
    this.requestRender();
  }

  /** Colours points by class label and hides the given classes. */
  setLabels(labels: Int32Array, hidden: Set<number> = this.hidden): void {
    this.labels = labels;
    this.hidden = hidden;
    if (this.positions.length >> 1 === labels.length) this.points.setLabels(labels, hidden);
    this.requestRender();
  }

  /** Rings a point (or none with -1), e.g. a pinned one. */
  setHighlight(index: number): void {
    this.highlight.setIndex(index);
    this.requestRender();
  }

  /** Number of points drawn. */
  get count(): number {
    return this.positions.length >> 1;
  }

  /** Fits the view to all points with a margin. */
  fit(): void {
    const n = this.count;
    if (n === 0) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = this.positions[2 * i];
      const y = this.positions[2 * i + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    this.cx = (minX + maxX) / 2;
    this.cy = (minY + maxY) / 2;
    const margin = 1.08;
    this.scale = Math.max(((maxX - minX) * margin) / this.width, ((maxY - minY) * margin) / this.height, 1e-9);
    this.updateCamera();
  }

  /** Fits the view and lets new positions refit it again. */
  resetView(): void {
    this.userMoved = false;
    this.fit();
  }

  /** World coordinates → CSS pixels within the container. */
  worldToScreen(x: number, y: number): { x: number; y: number } {
    return { x: (x - this.cx) / this.scale + this.width / 2, y: this.height / 2 - (y - this.cy) / this.scale };
  }

  /** CSS pixels within the container → world coordinates. */
  screenToWorld(x: number, y: number): { x: number; y: number } {
    return { x: this.cx + (x - this.width / 2) * this.scale, y: this.cy - (y - this.height / 2) * this.scale };
  }

  /** Screen position of point i (CSS pixels within the container). */
  pointToScreen(i: number): { x: number; y: number } {
    return this.worldToScreen(this.positions[2 * i], this.positions[2 * i + 1]);
  }

  /** The visible point nearest to a screen position within `radiusPx`, or -1. */
  pick(x: number, y: number, radiusPx = 8): number {
    if (!this.index) return -1;
    const w = this.screenToWorld(x, y);
    return this.index.nearest(w.x, w.y, radiusPx * this.scale, (i) => !this.hidden.has(this.labels[i] ?? -1));
  }

  /** The PNG of the current frame, as a data URL. */
  toDataURL(): string {
    this.render();
    return this.renderer.domElement.toDataURL('image/png');
  }

  private emit<K extends keyof ScatterEvents>(event: K, ...args: Parameters<ScatterEvents[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: Parameters<ScatterEvents[K]>) => void)(...args);
  }

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    const w = Math.max(1, r.width);
    const h = Math.max(1, r.height);
    this.width = w;
    this.height = h;
    this.renderer.setSize(w, h);
    if (!this.userMoved) this.fit();
    this.updateCamera();
  }

  private updateCamera(): void {
    const hw = (this.width / 2) * this.scale;
    const hh = (this.height / 2) * this.scale;
    this.camera.left = this.cx - hw;
    this.camera.right = this.cx + hw;
    this.camera.top = this.cy + hh;
    this.camera.bottom = this.cy - hh;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  private render(): void {
    const dpr = this.renderer.getPixelRatio();
    for (const l of this.layers) l.onRender?.(this.scale, dpr);
    this.renderer.render(this.scene, this.camera);
  }

  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.renderer.domElement.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private setHovered(i: number, x: number, y: number): void {
    if (i === this.hovered) return;
    this.hovered = i;
    this.emit('hover', i, x, y);
  }

  private bindInput(): void {
    const el = this.renderer.domElement;
    const listen = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement | Window,
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      options?: AddEventListenerOptions,
    ) => {
      target.addEventListener(type, fn as EventListener, options);
      this.cleanup.push(() => target.removeEventListener(type, fn as EventListener));
    };
    listen(el, 'pointerdown', (e) => {
      const p = this.local(e);
      this.drag = { ...p, moved: false };
      el.setPointerCapture(e.pointerId);
    });
    listen(el, 'pointermove', (e) => {
      const p = this.local(e);
      if (this.drag) {
        const dx = p.x - this.drag.x;
        const dy = p.y - this.drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2 || this.drag.moved) {
          this.drag.moved = true;
          this.userMoved = true;
          this.cx -= dx * this.scale;
          this.cy += dy * this.scale;
          this.drag.x = p.x;
          this.drag.y = p.y;
          this.updateCamera();
        }
        return;
      }
      this.setHovered(this.pick(p.x, p.y), p.x, p.y);
    });
    listen(el, 'pointerup', (e) => {
      const p = this.local(e);
      if (this.drag && !this.drag.moved) this.emit('click', this.pick(p.x, p.y));
      this.drag = null;
    });
    listen(el, 'pointerleave', () => {
      if (!this.drag) this.setHovered(-1, 0, 0);
    });
    listen(
      el,
      'wheel',
      (e) => {
        e.preventDefault();
        const p = this.local(e);
        const before = this.screenToWorld(p.x, p.y);
        this.scale *= Math.exp(e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
        // Keep the world point under the cursor fixed: zoom to the cursor.
        const after = this.screenToWorld(p.x, p.y);
        this.cx += before.x - after.x;
        this.cy += before.y - after.y;
        this.userMoved = true;
        this.updateCamera();
      },
      { passive: false },
    );
    listen(el, 'keydown', (e) => {
      const step = 40 * this.scale;
      const moves: Record<string, [number, number]> = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, step],
        ArrowDown: [0, -step],
      };
      if (e.key === 'f' || e.key === 'F' || e.key === '0') this.resetView();
      else if (e.key === '+' || e.key === '=') this.scale /= 1.25;
      else if (e.key === '-') this.scale *= 1.25;
      else if (moves[e.key]) {
        this.cx += moves[e.key][0];
        this.cy += moves[e.key][1];
        this.userMoved = true;
      } else return;
      e.preventDefault();
      this.updateCamera();
    });
  }

  /** Frees GPU resources and listeners. */
  destroy(): void {
    for (const c of this.cleanup) c();
    this.resizeObserver.disconnect();
    for (const l of this.layers) l.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
    this.listeners.hover.clear();
    this.listeners.click.clear();
  }
}
