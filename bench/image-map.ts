/**
 * Images-on-the-map benchmark in headless Chromium (SwiftShader here: no
 * GPU), on the built app (run `npm run build` first). It draws N synthetic
 * clustered points (ten blobs, like a t-SNE map) through the real
 * ScatterPlot with its image layer on, fed by the real engine over the web
 * socket (the default dataset's images, item i showing image i mod its size),
 * and for two views, the fitted one (a representative per crowded cell) and
 * one zoomed in until every point is its own image, measures:
 *  - the plan: one pass over the N points choosing what to draw;
 *  - how long after the view rests until every planned image is drawn
 *    (engine round trips, atlas upload);
 *  - frame times while panning (requestAnimationFrame intervals, as in
 *    bench/map.ts) and the full draw with a GPU sync, with the images on and
 *    then off, so the images' own cost is the difference in one run.
 * Usage: npm run bench:image-map -- [--n 70000] [--frames 60]
 */
import { loadavg } from 'node:os';

import type { Page } from 'playwright-core';

import { launchChromium, startBuiltServer } from '../test/e2e/harness.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const n = Number(arg('n', '70000'));
const frames = Number(arg('frames', '60'));
const fmt = (v: number) => v.toLocaleString('en-US');

interface ViewFigures {
  mode: string;
  drawn: number;
  displayPx: number;
  planMs: number;
  readyMs: number;
  /** Frame times with the images drawn, and with them off (the same view, the same points). */
  on: Frames;
  off: Frames;
}

interface Frames {
  rafMedian: number;
  rafP95: number;
  drawMedian: number;
  drawP95: number;
}

/** Runs in the page: draws n points with images on, then measures the fitted view and a zoomed-in one. */
function measure(page: Page, n: number, frames: number, datasetSize: number): Promise<ViewFigures[]> {
  return page.evaluate(
    async ([n, frames, size]) => {
      type Batch = { indices: number[] };
      type Layer = {
        state: { mode: string; drawn: number[]; planned: number; displayPx: number };
        lastPlanMs: number;
        setSource(s: unknown): void;
        setEnabled(on: boolean): void;
        source: (ix: number[], side: number) => Promise<Batch>;
      };
      type Plot = {
        images: Layer;
        setPositions(p: Float32Array, animate?: boolean): void;
        setStyle(c: Float32Array, v: Uint8Array): void;
        setSelection(s: Int32Array | null): void;
        setHighlight(i: number): void;
        resetView(): void;
        zoomAt(f: number): void;
        currentView: { cx: number; cy: number; scale: number };
        setView(v: { cx: number; cy: number; scale: number }): void;
        renderSync(detail?: 'full' | 'moving'): number;
        panBy(dx: number, dy: number): void;
      };
      const plot = (window as unknown as { aeMap: Plot }).aeMap;
      // The page's own source asks the engine for its loaded dataset's items; synthetic item i shows image i mod size.
      const real = plot.images.source;
      plot.images.setSource(async (ix: number[], side: number) => ({
        ...(await real(
          ix.map((i) => i % size),
          side,
        )),
        indices: ix,
      }));
      let seed = 12345;
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
      const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
      const positions = new Float32Array(2 * n);
      const colors = new Float32Array(3 * n);
      const visible = new Uint8Array(n).fill(1);
      for (let i = 0; i < n; i++) {
        const c = i % 10;
        const a = (c / 10) * 2 * Math.PI;
        positions[2 * i] = 30 * Math.cos(a) + gauss() * (3 + c);
        positions[2 * i + 1] = 30 * Math.sin(a) + gauss() * (3 + c);
        colors[3 * i] = c / 10;
        colors[3 * i + 1] = 0.5;
        colors[3 * i + 2] = 1 - c / 10;
      }
      const quantile = (xs: number[], q: number) => {
        const s = [...xs].sort((a, b) => a - b);
        return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
      };
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      /** Milliseconds from now until every planned image is drawn. */
      const ready = async () => {
        const t0 = performance.now();
        await sleep(200);
        for (let k = 0; k < 600; k++) {
          const s = plot.images.state;
          if (s.mode !== 'none' && s.drawn.length === s.planned) break;
          await sleep(25);
        }
        return performance.now() - t0;
      };
      /** Pan frame intervals and full draws of the current view. */
      const frameTimes = async () => {
        const stamps: number[] = [];
        await new Promise<void>((done) => {
          const tick = (t: number) => {
            stamps.push(t);
            if (stamps.length > frames) return done();
            plot.panBy(stamps.length % 40 < 20 ? 6 : -6, 2);
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        const intervals = stamps.slice(1).map((t, k) => t - stamps[k]);
        const draws: number[] = [];
        for (let k = 0; k < Math.min(frames, 20); k++) {
          plot.panBy(k % 2 ? 3 : -3, 0);
          draws.push(plot.renderSync('full'));
        }
        return {
          rafMedian: quantile(intervals, 0.5),
          rafP95: quantile(intervals, 0.95),
          drawMedian: quantile(draws, 0.5),
          drawP95: quantile(draws, 0.95),
        };
      };
      /** The current view with images on, then the same frames with them off. */
      const view = async (): Promise<ViewFigures> => {
        const readyMs = await ready();
        const s = plot.images.state;
        const planMs = plot.images.lastPlanMs;
        const on = await frameTimes();
        plot.images.setEnabled(false);
        const off = await frameTimes();
        plot.images.setEnabled(true);
        return { mode: s.mode, drawn: s.drawn.length, displayPx: s.displayPx, planMs, readyMs, on, off };
      };
      plot.setSelection(null);
      plot.setHighlight(-1);
      plot.setPositions(positions, false);
      plot.setStyle(colors, visible);
      plot.resetView();
      const fitted = await view();
      // Zoom in on the densest blob (class 0's, centred at (30, 0)) until every point on screen is its own image.
      plot.setView({ cx: 30, cy: 0, scale: plot.currentView.scale });
      for (let k = 0; k < 40 && plot.images.state.mode !== 'items'; k++) {
        plot.zoomAt(1.5);
        await ready();
      }
      const zoomed = await view();
      return [fitted, zoomed];
    },
    [n, frames, datasetSize] as const,
  );
}

const server = await startBuiltServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // tsx keeps function names with a __name helper that the page does not have.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('images'),
    null,
    { timeout: 60_000 },
  );
  // The default dataset the page loaded at start, whose images the engine serves.
  const summary = await page.locator('[data-testid=dataset-summary]').innerText();
  const size = Number(/([\d,]+) images/.exec(summary)?.[1].replace(/,/g, ''));
  if (!(size > 0)) throw new Error(`no dataset size in the summary "${summary}"`);
  const load = loadavg()[0];
  const [fitted, zoomed] = await measure(page, n, frames, size);
  console.log(
    `image map machine load, ${fmt(n)} points: load average ${load.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`,
  );
  for (const [name, f] of [
    ['fitted view', fitted],
    ['zoomed in', zoomed],
  ] as const) {
    console.log(
      `image map ${name}, ${fmt(n)} points: ${f.mode}, ${fmt(f.drawn)} images of ${f.displayPx} px; plan ${f.planMs.toFixed(1)} ms; all drawn ${f.readyMs.toFixed(0)} ms after the view rests`,
    );
    for (const [what, t] of [
      ['images on', f.on],
      ['images off', f.off],
    ] as const)
      console.log(
        `image map ${name}, ${fmt(n)} points, ${what}: pan frame median ${t.rafMedian.toFixed(1)} ms, p95 ${t.rafP95.toFixed(1)} ms (${(1000 / t.rafMedian).toFixed(1)} fps); full draw + GPU sync median ${t.drawMedian.toFixed(1)} ms, p95 ${t.drawP95.toFixed(1)} ms`,
      );
  }
} finally {
  await browser.close();
  await server.close();
}
