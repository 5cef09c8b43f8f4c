/**
 * Exports the map as a PNG at a chosen size: the WebGL scene rendered
 * off-screen at that size, composited on the theme's map background in a 2D
 * canvas, with the legend drawn on top.
 */
import { drawLegend, type LegendSpec, type LegendTheme, type Rect } from './png-legend.js';
import type { ScatterPlot } from './ScatterPlot.js';

/** What an export needs besides the map. */
export interface PngExportOptions {
  width: number;
  height: number;
  /** The map's background (a CSS colour), as the theme shows it. */
  background: string;
  /** Null leaves the legend out. */
  legend: LegendSpec | null;
  theme: LegendTheme;
}

/** An exported image and where its legend lies (for tests and for the dialog's report). */
export interface PngExport {
  blob: Blob;
  width: number;
  height: number;
  legendBox: Rect | null;
}

/** A CSS colour as [r, g, b] bytes, resolved by the browser. */
export function cssRgb(color: string): [number, number, number] {
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const d = ctx.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2]];
}

/** Renders the map at the requested size with its legend and encodes it as PNG. */
export async function exportMapPng(plot: ScatterPlot, o: PngExportOptions): Promise<PngExport> {
  const pixels = plot.snapshot(o.width, o.height, cssRgb(o.background));
  const canvas = document.createElement('canvas');
  canvas.width = o.width;
  canvas.height = o.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gave no 2D canvas for the image');
  ctx.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, o.width, o.height), 0, 0);
  const legendBox = o.legend ? drawLegend(ctx, o.legend, o.theme, o.width / plot.size.width, o.width) : null;
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error(`the browser could not encode a ${o.width}×${o.height} PNG`);
  return { blob, width: o.width, height: o.height, legendBox };
}
