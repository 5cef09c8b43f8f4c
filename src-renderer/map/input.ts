import type { SelectionTool, SelectMode } from './selection-tool.js';

/** What a drag on the map does. */
export type DragMode = 'pan' | SelectMode;

/** What the input bindings need from the plot that owns them. */
export interface InputHost {
  mode(): DragMode;
  /** Event position in CSS pixels within the map. */
  local(e: MouseEvent): { x: number; y: number };
  pick(x: number, y: number, radiusPx?: number): number;
  panBy(dx: number, dy: number): void;
  zoomAt(factor: number, x?: number, y?: number): void;
  resetView(): void;
  setMode(mode: DragMode): void;
  hover(index: number, x: number, y: number): void;
  click(index: number): void;
  selectPolygon(poly: number[]): void;
  clearSelection(): void;
  /** Steps from the highlighted point in a direction; false when nothing is highlighted. */
  step(dx: number, dy: number): boolean;
  size(): { width: number; height: number };
}

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, 1],
  ArrowDown: [0, -1],
};

/**
 * Binds pointer, wheel and keyboard input on the map's canvas: drag to pan
 * (or lasso/box in those modes, Shift-drag lassoes), wheel zooms to the
 * cursor, keys for fit, zoom, modes, picking and stepping between points.
 * Returns the function that unbinds everything.
 */
export function bindMapInput(el: HTMLElement, tool: SelectionTool, host: InputHost): () => void {
  const cleanup: (() => void)[] = [];
  const listen = <K extends keyof HTMLElementEventMap>(
    type: K,
    fn: (e: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ) => {
    el.addEventListener(type, fn as EventListener, options);
    cleanup.push(() => el.removeEventListener(type, fn as EventListener));
  };
  let drag: { x: number; y: number; moved: boolean; select: SelectMode | null } | null = null;

  listen('pointerdown', (e) => {
    if (e.button !== 0) return;
    const p = host.local(e);
    const mode = host.mode();
    // Shift-drag lassoes whatever the mode, as in most scatter tools.
    const select = mode !== 'pan' ? mode : e.shiftKey ? 'lasso' : null;
    drag = { ...p, moved: false, select };
    if (select) tool.begin(select, p.x, p.y);
    el.setPointerCapture(e.pointerId);
  });
  listen('pointermove', (e) => {
    const p = host.local(e);
    if (drag) {
      const dx = p.x - drag.x;
      const dy = p.y - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2 || drag.moved) {
        drag.moved = true;
        if (drag.select) tool.move(p.x, p.y);
        else {
          host.panBy(dx, dy);
          drag.x = p.x;
          drag.y = p.y;
        }
      }
      return;
    }
    host.hover(host.pick(p.x, p.y), p.x, p.y);
  });
  listen('pointerup', (e) => {
    const p = host.local(e);
    const d = drag;
    drag = null;
    if (!d) return;
    if (d.select) {
      const poly = tool.end();
      if (poly) host.selectPolygon(poly);
      else if (!d.moved) host.click(host.pick(p.x, p.y));
    } else if (!d.moved) host.click(host.pick(p.x, p.y));
  });
  listen('pointerleave', () => {
    if (!drag) host.hover(-1, 0, 0);
  });
  listen(
    'wheel',
    (e) => {
      e.preventDefault();
      const p = host.local(e);
      host.zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), p.x, p.y);
    },
    { passive: false },
  );
  listen('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const dir = ARROWS[e.key];
    // Arrows step between points from the highlighted one; Shift+arrows (or nothing highlighted) pan.
    if (dir) {
      if (e.shiftKey || !host.step(dir[0], dir[1])) host.panBy(-dir[0] * 40, dir[1] * 40);
    } else if (key === 'f' || key === '0') host.resetView();
    else if (key === '+' || key === '=') host.zoomAt(1.25);
    else if (key === '-') host.zoomAt(1 / 1.25);
    else if (key === 'l') host.setMode('lasso');
    else if (key === 'b') host.setMode('box');
    else if (key === 'p') host.setMode('pan');
    else if (key === 'Enter' || key === ' ') {
      const { width, height } = host.size();
      host.click(host.pick(width / 2, height / 2, 60));
    } else if (key === 'Escape') {
      // Escape lets go of everything: drag mode, selection and the pinned card.
      host.setMode('pan');
      host.clearSelection();
      host.click(-1);
    } else return;
    e.preventDefault();
  });
  return () => {
    for (const c of cleanup) c();
  };
}
