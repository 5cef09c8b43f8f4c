/**
 * The legend drawn into exported map images: what colour means (class label,
 * k-means cluster or reconstruction error), each category's colour, name and
 * count, and a line naming the data and the projection. Plain 2D-canvas
 * drawing at a scale factor, so it reads the same at 1× and at 4×.
 */
import { rampColor } from './palette.js';

/** A rectangle in image pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One category in a legend. */
export interface LegendEntry {
  color: string;
  name: string;
  count: number;
  /** Hidden on the map by a legend toggle: drawn faded and struck through. */
  hidden: boolean;
}

/** What a legend shows. */
export type LegendSpec =
  | { kind: 'categories'; title: string; entries: LegendEntry[]; footer: string }
  | { kind: 'scale'; title: string; lo: number; hi: number; marks: { value: number; label: string }[]; footer: string };

/** The theme's colours for the legend box. */
export interface LegendTheme {
  text: string;
  muted: string;
  panel: string;
  border: string;
}

/** Most categories listed; the rest are summed up in one line. */
export const MAX_LEGEND_ENTRIES = 60;
const ROWS_PER_COLUMN = 15;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * Draws the legend in the top-right corner of a canvas `canvasWidth` pixels
 * wide, with sizes multiplied by `s`; returns the box it covers.
 */
export function drawLegend(
  ctx: CanvasRenderingContext2D,
  spec: LegendSpec,
  theme: LegendTheme,
  s: number,
  canvasWidth: number,
): Rect {
  const pad = 10 * s;
  const line = 18 * s;
  const font = (px: number, weight = 400) => `${weight} ${px * s}px ${FONT}`;
  ctx.save();
  ctx.textBaseline = 'middle';
  ctx.font = font(13, 600);
  let width = ctx.measureText(spec.title).width;
  ctx.font = font(11);
  width = Math.max(width, ctx.measureText(spec.footer).width);

  // Layout first (sizes), then drawing.
  let bodyHeight: number;
  let columns: { entries: LegendEntry[]; width: number }[] = [];
  let more = '';
  if (spec.kind === 'categories') {
    const shown = spec.entries.slice(0, spec.entries.length > MAX_LEGEND_ENTRIES ? MAX_LEGEND_ENTRIES - 1 : undefined);
    if (shown.length < spec.entries.length) {
      const rest = spec.entries.slice(shown.length);
      more = `+ ${rest.length} more (${rest.reduce((a, e) => a + e.count, 0).toLocaleString('en-US')} points)`;
    }
    const rows = Math.min(ROWS_PER_COLUMN, Math.ceil(shown.length / Math.ceil(shown.length / ROWS_PER_COLUMN)) || 1);
    for (let i = 0; i < shown.length; i += rows) {
      const entries = shown.slice(i, i + rows);
      ctx.font = font(12);
      const names = Math.max(...entries.map((e) => ctx.measureText(e.name).width));
      ctx.font = font(11);
      const counts = Math.max(...entries.map((e) => ctx.measureText(e.count.toLocaleString('en-US')).width));
      columns.push({ entries, width: 16 * s + names + 10 * s + counts });
    }
    const columnGap = 16 * s;
    const entriesWidth = columns.reduce((a, c) => a + c.width, 0) + columnGap * Math.max(0, columns.length - 1);
    width = Math.max(width, entriesWidth);
    if (more) {
      ctx.font = font(11);
      width = Math.max(width, ctx.measureText(more).width);
    }
    bodyHeight = rows * line + (more ? line : 0);
  } else {
    columns = [];
    width = Math.max(width, 200 * s);
    bodyHeight = 12 * s + 6 * s + line;
  }
  const box: Rect = {
    x: canvasWidth - 12 * s - (width + 2 * pad),
    y: 12 * s,
    width: width + 2 * pad,
    height: pad + line + 4 * s + bodyHeight + 4 * s + line + pad,
  };

  ctx.globalAlpha = 0.94;
  ctx.fillStyle = theme.panel;
  roundRect(ctx, box, 6 * s);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = Math.max(1, s);
  ctx.stroke();

  const left = box.x + pad;
  let y = box.y + pad + line / 2;
  ctx.fillStyle = theme.text;
  ctx.font = font(13, 600);
  ctx.fillText(spec.title, left, y);
  y += line / 2 + 4 * s;

  if (spec.kind === 'categories') {
    let x = left;
    for (const column of columns) {
      let rowY = y + line / 2;
      for (const e of column.entries) {
        ctx.globalAlpha = e.hidden ? 0.35 : 1;
        ctx.fillStyle = e.color;
        ctx.beginPath();
        ctx.arc(x + 5 * s, rowY, 5 * s, 0, 2 * Math.PI);
        ctx.fill();
        ctx.fillStyle = theme.text;
        ctx.font = font(12);
        ctx.textAlign = 'left';
        ctx.fillText(e.name, x + 16 * s, rowY);
        if (e.hidden) {
          const w = ctx.measureText(e.name).width;
          ctx.fillRect(x + 16 * s, rowY - 0.5 * s, w, Math.max(1, s));
        }
        ctx.fillStyle = theme.muted;
        ctx.font = font(11);
        ctx.textAlign = 'right';
        ctx.fillText(e.count.toLocaleString('en-US'), x + column.width, rowY);
        ctx.textAlign = 'left';
        rowY += line;
      }
      x += column.width + 16 * s;
    }
    ctx.globalAlpha = 1;
    y += (bodyHeight - (more ? line : 0)) | 0;
    if (more) {
      ctx.fillStyle = theme.muted;
      ctx.font = font(11);
      ctx.fillText(more, left, y + line / 2);
      y += line;
    }
  } else {
    const barWidth = width;
    const barHeight = 12 * s;
    const top = y + 4 * s;
    const gradient = ctx.createLinearGradient(left, 0, left + barWidth, 0);
    for (let k = 0; k <= 10; k++) {
      const [r, g, b] = rampColor(k / 10).map((v) => Math.round(v * 255));
      gradient.addColorStop(k / 10, `rgb(${r}, ${g}, ${b})`);
    }
    ctx.fillStyle = gradient;
    ctx.fillRect(left, top, barWidth, barHeight);
    const span = spec.hi - spec.lo || 1;
    ctx.fillStyle = theme.text;
    for (const m of spec.marks) {
      const mx = left + Math.min(1, Math.max(0, (m.value - spec.lo) / span)) * barWidth;
      ctx.fillRect(mx - s, top - 2 * s, 2 * s, barHeight + 4 * s);
    }
    ctx.fillStyle = theme.muted;
    ctx.font = font(11);
    const labelY = top + barHeight + 6 * s + line / 2;
    ctx.fillText(`≤ ${spec.lo.toFixed(4)}`, left, labelY);
    ctx.textAlign = 'right';
    ctx.fillText(`≥ ${spec.hi.toFixed(4)}`, left + barWidth, labelY);
    ctx.textAlign = 'left';
    if (spec.marks.length > 0) {
      ctx.textAlign = 'center';
      ctx.fillText(spec.marks.map((m) => `${m.label} ${m.value.toFixed(4)}`).join(' · '), left + barWidth / 2, labelY);
      ctx.textAlign = 'left';
    }
    y += bodyHeight;
  }
  ctx.fillStyle = theme.muted;
  ctx.font = font(11);
  ctx.fillText(spec.footer, left, y + 4 * s + line / 2);
  ctx.restore();
  return box;
}

function roundRect(ctx: CanvasRenderingContext2D, r: Rect, radius: number): void {
  ctx.beginPath();
  ctx.roundRect(r.x, r.y, r.width, r.height, radius);
}
