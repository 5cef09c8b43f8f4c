import * as THREE from 'three';

import { GridIndex } from './grid-index.js';
import { ImageLayer } from './image-layer.js';
import { bindMapInput, type DragMode, type InputHost } from './input.js';
import { selectInPolygon } from './lasso.js';
import { HighlightLayer, type Layer, PointsLayer } from './layers.js';
import { maxRenderSize, renderToPixels } from './offscreen.js';
import { RingsLayer } from './rings-layer.js';
import { SelectionTool } from './selection-tool.js';
import { type View, Viewport } from './viewport.js';

export type { DragMode } from './input.js';

/** Events a ScatterPlot emits. */
export interface ScatterEvents {
  /** The point under the cursor changed (-1 = none); x, y are CSS pixels in the container. */
  hover: (index: number, x: number, y: number) => void;
  /** A point was clicked or chosen by keyboard (-1 = empty space). */
  click: (index: number) => void;
  /** A lasso or box closed around these points (ascending indices). */
  select: (indices: Int32Array) => void;
  /** An arrow key asked to move from the highlighted point to this neighbour. */
  step: (index: number) => void;
  /** The drag mode changed (e.g. by a key). */
  mode: (mode: DragMode) => void;
}

type Listeners = { [K in keyof ScatterEvents]: Set<ScatterEvents[K]> };

/** The view counts as resting this long after the last pan or zoom. */
const REST_MS = 180;

/**
 * Owns the three.js renderer, the orthographic camera, pan/zoom, resize and
 * the selection drag, and draws its layers. Picking goes through a grid
 * index, never ray-casting.
 */
export class ScatterPlot {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.OrthographicCamera(-1, 1, 1, -1, -10, 10);
  private readonly points = new PointsLayer();
  private readonly highlight: HighlightLayer;
  /** Thumbnails of the points (setSource, setEnabled): see image-layer.ts. */
  readonly images: ImageLayer;
  /** Rings around the pinned point's neighbours (setIndices). */
  readonly neighbours: RingsLayer;
  private readonly layers: Layer[];
  private readonly tool: SelectionTool;
  private readonly listeners: Listeners = {
    hover: new Set(),
    click: new Set(),
    select: new Set(),
    step: new Set(),
    mode: new Set(),
  };
  private readonly resizeObserver: ResizeObserver;
  private positions: Float32Array = new Float32Array(0);
  private index: GridIndex | null = null;
  /** Centre, scale, size, fly-to and whether the user moved the view: the camera as numbers. */
  private readonly vp = new Viewport();
  private hovered = -1;
  private highlighted = -1;
  private dragMode: DragMode = 'pan';
  private frameRequested = false;
  private readonly cleanup: (() => void)[] = [];
  /** Milliseconds the last frame's draw call took on the CPU side (for the status bar and bench). */
  lastRenderMs = 0;
  /** When the view last moved (pan, zoom); large maps draw a subset until it rests. */
  private lastMove = -Infinity;
  private restTimer: ReturnType<typeof setTimeout> | null = null;
  private prevFrameStart = 0;

  constructor(private readonly container: HTMLElement) {
    // No MSAA: the point shader anti-aliases its own edges, and multisampling
    // multiplies the fill cost (4× slower frames on software WebGL here).
    this.renderer = new THREE.WebGLRenderer({ antialias: false, alpha: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    const el = this.renderer.domElement;
    el.tabIndex = 0;
    el.setAttribute(
      'aria-label',
      'Projection map. Drag to pan, wheel to zoom, F to fit, L lasso, B box, P pan, Enter picks the point at the centre, arrow keys move between points, Shift+arrows pan.',
    );
    container.appendChild(el);
    const css = (name: string, fallback: string) =>
      getComputedStyle(container).getPropertyValue(name).trim() || fallback;
    this.tool = new SelectionTool(container, () => css('--accent', '#2f6fde'));
    const requestRender = () => this.requestRender();
    this.images = new ImageLayer({
      view: () => ({ view: this.vp.view, width: this.vp.width, height: this.vp.height }),
      isShown: (i) => this.points.isShown(i),
      requestRender,
    });
    const imageSide = () => this.images.itemSide;
    this.highlight = new HighlightLayer(css('--text', '#111'), imageSide);
    this.neighbours = new RingsLayer(imageSide, requestRender, css('--accent', '#2f6fde'));
    this.layers = [this.points, this.images, this.neighbours, this.highlight];
    for (const l of this.layers) l.setScene(this.scene);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
    this.bindInput();
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ScatterEvents>(event: K, listener: ScatterEvents[K]): () => void {
    (this.listeners[event] as Set<ScatterEvents[K]>).add(listener);
    return () => (this.listeners[event] as Set<ScatterEvents[K]>).delete(listener);
  }

  /** Sets n×2 positions; animates from the old ones when the count is unchanged; fits unless the user moved the view. */
  setPositions(positions: Float32Array, animate = true): void {
    this.positions = positions;
    this.index = new GridIndex(positions);
    this.points.onPositionsChanged(positions, animate);
    for (const l of [this.highlight, this.images, this.neighbours]) l.onPositionsChanged(positions);
    this.points.setFitScale(this.vp.fitView(positions)?.scale ?? 0);
    if (!this.vp.userMoved) this.fit();
    this.requestRender();
  }

  /** Sets per-point colours (n×3 in [0, 1]) and visibility (0 = hidden by a legend toggle). */
  setStyle(colors: Float32Array, visible: Uint8Array): void {
    this.points.setStyle(colors, visible);
    this.images.setColors(colors);
    this.requestRender();
  }

  /** Dims the points outside the selection (null or empty = none). */
  setSelection(indices: Int32Array | null): void {
    this.points.setSelection(indices);
    this.requestRender();
  }

  /** Rings a point (or none with -1), e.g. a pinned one; arrow keys move from it. */
  setHighlight(index: number): void {
    this.highlighted = index;
    this.highlight.setIndex(index);
    this.requestRender();
  }

  /** Sets what a drag does. */
  setMode(mode: DragMode): void {
    if (mode === this.dragMode) return;
    this.dragMode = mode;
    this.renderer.domElement.style.cursor = mode === 'pan' ? 'crosshair' : 'cell';
    this.emit('mode', mode);
  }

  get mode(): DragMode {
    return this.dragMode;
  }

  /** The ringed point (-1 = none). */
  get highlightedIndex(): number {
    return this.highlighted;
  }

  /** Points in the current selection (0 = none). */
  get selectedCount(): number {
    return this.points.selectedCount;
  }

  /** Number of points drawn. */
  get count(): number {
    return this.positions.length >> 1;
  }

  /** The current view (centre and world units per pixel). */
  get currentView(): Readonly<View> {
    return { ...this.vp.view };
  }

  /** Fits the view to all points with a margin. */
  fit(): void {
    if (this.vp.fit(this.positions)) this.updateCamera();
  }

  /** Re-reads the theme's colours from CSS (call after switching themes). */
  refreshTheme(): void {
    this.highlight.setColor(getComputedStyle(this.container).getPropertyValue('--text').trim() || '#111');
    this.requestRender();
  }

  /** Fits the view and lets new positions refit it again. */
  resetView(): void {
    this.vp.userMoved = false;
    this.fit();
  }

  /** Animates the view to centre point i, zooming in to 4× the fitted view unless already closer. */
  flyTo(i: number): void {
    if (i < 0 || i >= this.count) return;
    const fit = this.vp.fitView(this.positions);
    const scale = Math.min(this.vp.view.scale, fit ? fit.scale / 4 : this.vp.view.scale);
    this.vp.flyTo(this.positions[2 * i], this.positions[2 * i + 1], scale, performance.now());
    this.requestRender();
  }

  /** Moves the view by a number of CSS pixels. */
  panBy(dx: number, dy: number): void {
    this.lastMove = performance.now();
    this.vp.panBy(dx, dy);
    this.updateCamera();
  }

  /** Zooms by a factor (> 1 zooms in) keeping the screen point (x, y) fixed. */
  zoomAt(factor: number, x = this.vp.width / 2, y = this.vp.height / 2): void {
    this.lastMove = performance.now();
    this.vp.zoomAt(factor, x, y);
    this.updateCamera();
  }

  /** World coordinates → CSS pixels within the container. */
  worldToScreen(x: number, y: number): { x: number; y: number } {
    return this.vp.worldToScreen(x, y);
  }

  /** CSS pixels within the container → world coordinates. */
  screenToWorld(x: number, y: number): { x: number; y: number } {
    return this.vp.screenToWorld(x, y);
  }

  /** Screen position of point i (CSS pixels within the container), where it rests after any transition. */
  pointToScreen(i: number): { x: number; y: number } {
    return this.worldToScreen(this.positions[2 * i], this.positions[2 * i + 1]);
  }

  /** Whether point i is drawn (not hidden by a legend toggle). */
  isShown(i: number): boolean {
    return this.points.isShown(i);
  }

  /** The visible point nearest to a screen position within `radiusPx`, or -1. */
  pick(x: number, y: number, radiusPx = 8): number {
    if (!this.index) return -1;
    const w = this.screenToWorld(x, y);
    return this.index.nearest(w.x, w.y, radiusPx * this.vp.view.scale, (i) => this.points.isShown(i));
  }

  /** Visible points inside a polygon given in screen pixels (flat x, y pairs). */
  selectScreenPolygon(poly: number[]): Int32Array {
    if (!this.index) return new Int32Array(0);
    const world = new Float64Array(poly.length);
    for (let k = 0; k < poly.length; k += 2) {
      const w = this.screenToWorld(poly[k], poly[k + 1]);
      world[k] = w.x;
      world[k + 1] = w.y;
    }
    return selectInPolygon(this.index, this.positions, world, (i) => this.points.isShown(i));
  }

  /** The map's size in CSS pixels. */
  get size(): { width: number; height: number } {
    return { width: this.vp.width, height: this.vp.height };
  }

  /** Whether new positions refit the view (true until the user pans or zooms). */
  get followsFit(): boolean {
    return !this.vp.userMoved;
  }

  /** Moves the camera to a view read from currentView (e.g. a saved session's); new positions no longer refit it. */
  setView(v: View): void {
    if (this.vp.setView(v)) this.updateCamera();
  }

  /** Largest width or height, in pixels, that snapshot() can render on this GPU. */
  get maxSnapshotSize(): number {
    return maxRenderSize(this.renderer);
  }

  /**
   * The current view rendered off-screen at width×height pixels (the map's
   * aspect ratio), every point drawn and sized as on screen scaled by
   * width / CSS width, without the hover ring; RGBA rows from the top over `background`.
   */
  snapshot(width: number, height: number, background: [number, number, number]): Uint8ClampedArray {
    const ring = this.highlighted;
    this.highlight.setIndex(-1);
    this.points.setMoving(false);
    for (const l of this.layers) l.onRender?.(this.vp.view.scale, width / this.vp.width);
    try {
      return renderToPixels(this.renderer, this.scene, this.camera, width, height, background);
    } finally {
      this.highlight.setIndex(ring);
      // The next frame puts the on-screen sizes back.
      this.requestRender();
    }
  }

  /** The PNG of the current frame, as a data URL. */
  toDataURL(): string {
    this.render();
    return this.renderer.domElement.toDataURL('image/png');
  }

  /** Draws one frame now and waits for the GPU (for benchmarks); returns milliseconds. */
  renderSync(detail: 'full' | 'moving' = 'full'): number {
    const t0 = performance.now();
    this.lastMove = detail === 'full' ? -Infinity : t0;
    this.render();
    const gl = this.renderer.getContext();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    return performance.now() - t0;
  }

  private emit<K extends keyof ScatterEvents>(event: K, ...args: Parameters<ScatterEvents[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: Parameters<ScatterEvents[K]>) => void)(...args);
  }

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    this.vp.width = Math.max(1, r.width);
    this.vp.height = Math.max(1, r.height);
    this.renderer.setSize(this.vp.width, this.vp.height);
    this.points.setFitScale(this.vp.fitView(this.positions)?.scale ?? 0);
    if (!this.vp.userMoved) this.fit();
    this.updateCamera();
  }

  private updateCamera(): void {
    Object.assign(this.camera, this.vp.frustum());
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
    const t0 = performance.now();
    let more = false;
    if (this.vp.flying) {
      more = this.vp.advance(t0);
      this.updateCamera();
    }
    // The view rests when it has not moved for REST_MS nor since the previous
    // frame began (so slow frames, longer than REST_MS, do not count as rests).
    const moving = this.vp.flying || t0 - this.lastMove < REST_MS || this.lastMove >= this.prevFrameStart;
    this.prevFrameStart = t0;
    this.points.setMoving(moving);
    if (moving) {
      // Draw everything once the view rests.
      if (this.restTimer) clearTimeout(this.restTimer);
      this.restTimer = setTimeout(() => {
        this.restTimer = null;
        this.requestRender();
      }, REST_MS);
    }
    const dpr = this.renderer.getPixelRatio();
    for (const l of this.layers) if (l.onRender?.(this.vp.view.scale, dpr)) more = true;
    this.renderer.render(this.scene, this.camera);
    this.lastRenderMs = performance.now() - t0;
    if (more) this.requestRender();
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
    const host: InputHost = {
      mode: () => this.dragMode,
      local: (e) => this.local(e),
      pick: (x, y, r) => this.pick(x, y, r),
      panBy: (dx, dy) => this.panBy(dx, dy),
      zoomAt: (f, x, y) => this.zoomAt(f, x, y),
      resetView: () => this.resetView(),
      setMode: (m) => this.setMode(m),
      hover: (i, x, y) => this.setHovered(i, x, y),
      click: (i) => this.emit('click', i),
      selectPolygon: (poly) => this.emit('select', this.selectScreenPolygon(poly)),
      clearSelection: () => this.emit('select', new Int32Array(0)),
      step: (dx, dy) => this.step(dx, dy),
      size: () => this.size,
    };
    this.cleanup.push(bindMapInput(this.renderer.domElement, this.tool, host));
  }

  /** Moves from the highlighted point to its neighbour in a direction; false when nothing is highlighted. */
  private step(dx: number, dy: number): boolean {
    if (this.highlighted < 0 || !this.index) return false;
    const next = this.index.neighbourInDirection(this.highlighted, dx, dy, (i) => this.points.isShown(i));
    if (next >= 0) {
      this.emit('step', next);
      const s = this.pointToScreen(next);
      if (s.x < 20 || s.y < 20 || s.x > this.vp.width - 20 || s.y > this.vp.height - 20) this.flyTo(next);
    }
    return true;
  }

  /** Frees GPU resources and listeners. */
  destroy(): void {
    if (this.restTimer) clearTimeout(this.restTimer);
    for (const c of this.cleanup) c();
    this.resizeObserver.disconnect();
    for (const l of this.layers) l.dispose();
    this.tool.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
    for (const set of Object.values(this.listeners)) set.clear();
  }
}
