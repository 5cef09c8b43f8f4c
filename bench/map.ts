/**
 * Map benchmark in headless Chromium (SwiftShader here: no GPU), on the built
 * app (run `npm run build` first). For each N it draws N synthetic clustered
 * points through the real ScatterPlot and measures:
 *  - time from positions handed to the map to the first frame drawn (grid index,
 *    buffer upload, draw, GPU sync);
 *  - frame times while panning: requestAnimationFrame intervals as the user
 *    sees them (above 250,000 points a moving view draws a 250,000-point
 *    random subset), and the full draw of every point with a GPU sync;
 *  - picking time per hover query through the spatial index.
 * Usage: npm run bench:map -- [--n 70000,1000000] [--frames 60]
 * Prints one summary line per figure.
 */
import { loadavg } from 'node:os';

import type { Page } from 'playwright-core';

import { launchChromium, startBuiltServer } from '../test/e2e/harness.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('n', '70000,1000000').split(',').map(Number);
const frames = Number(arg('frames', '60'));
const fmt = (n: number) => n.toLocaleString('en-US');

interface Figures {
  firstFrameMs: number;
  rafMedian: number;
  rafP95: number;
  drawMedian: number;
  drawP95: number;
  pickUs: number;
  picks: number;
}

/** Runs in the page: draws n points, pans, picks. */
async function measure(page: Page, n: number, frames: number): Promise<Figures> {
  return page.evaluate(
    async ([n, frames]) => {
      type Plot = {
        setPositions(p: Float32Array, animate?: boolean): void;
        setStyle(c: Float32Array, v: Uint8Array): void;
        setSelection(s: Int32Array | null): void;
        setHighlight(i: number): void;
        resetView(): void;
        renderSync(detail?: 'full' | 'moving'): number;
        panBy(dx: number, dy: number): void;
        pick(x: number, y: number): number;
      };
      const plot = (window as unknown as { aeMap: Plot }).aeMap;
      let seed = 12345;
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
      const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
      // Ten blobs of different spreads, like a t-SNE map of ten classes.
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
      plot.setSelection(null);
      plot.setHighlight(-1);
      const t0 = performance.now();
      plot.setPositions(positions, false);
      plot.setStyle(colors, visible);
      plot.resetView();
      plot.renderSync();
      const firstFrameMs = performance.now() - t0;

      // Pan one step per animation frame; record frame intervals.
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
      // The draw alone, with the GPU finished (readPixels forces it).
      const draws: number[] = [];
      for (let k = 0; k < Math.min(frames, 20); k++) {
        plot.panBy(3, -1);
        draws.push(plot.renderSync('full'));
      }
      // Hover picking: random cursor positions over the map.
      const picks = 20000;
      const xs = new Float32Array(picks).map(() => rand() * 900);
      const ys = new Float32Array(picks).map(() => rand() * 700);
      plot.resetView();
      let hits = 0;
      const p0 = performance.now();
      for (let k = 0; k < picks; k++) if (plot.pick(xs[k], ys[k]) >= 0) hits++;
      const pickUs = ((performance.now() - p0) / picks) * 1000;
      void hits;
      return {
        firstFrameMs,
        rafMedian: quantile(intervals, 0.5),
        rafP95: quantile(intervals, 0.95),
        drawMedian: quantile(draws, 0.5),
        drawP95: quantile(draws, 0.95),
        pickUs,
        picks,
      };
    },
    [n, frames] as const,
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
  // Wait for the app's own start-up (the default dataset) so it does not restyle the map mid-run.
  await page.waitForFunction(
    () => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('images'),
    null,
    {
      timeout: 60_000,
    },
  );
  const renderer = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    return ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown';
  });
  console.log(
    `map bench: headless Chromium, WebGL renderer "${renderer}", 1280×800 page, map ${await page.evaluate(() => {
      const c = document.querySelector('[data-testid=map] canvas') as HTMLCanvasElement;
      return `${c.width}×${c.height}`;
    })} px`,
  );
  for (const n of sizes) {
    const load = loadavg()[0];
    const f = await measure(page, n, frames);
    console.log(
      `map machine load, ${fmt(n)} points: load average ${load.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, on ${(await import('node:os')).cpus().length} cores`,
    );
    console.log(`map first frame, ${fmt(n)} points: ${f.firstFrameMs.toFixed(0)} ms (index + upload + draw)`);
    console.log(
      `map pan frame, ${fmt(n)} points: median ${f.rafMedian.toFixed(1)} ms, p95 ${f.rafP95.toFixed(1)} ms (${(1000 / f.rafMedian).toFixed(1)} fps${n > 250_000 ? ', 250,000-point subset while moving' : ''})`,
    );
    console.log(
      `map full frame, ${fmt(n)} points: draw + GPU sync median ${f.drawMedian.toFixed(1)} ms, p95 ${f.drawP95.toFixed(1)} ms (every point, as drawn when the view rests)`,
    );
    console.log(`map pick, ${fmt(n)} points: ${f.pickUs.toFixed(1)} µs per query (${fmt(f.picks)} queries)`);
  }
} finally {
  await browser.close();
  await server.close();
}
