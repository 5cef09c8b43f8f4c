/**
 * Images on the map and neighbours on click, in Chromium against the real
 * server and engine: zoomed out the map shows one representative image per
 * crowded region; zoomed in, every point is drawn as its own image, whose
 * pixels on the canvas are the item's; pinning a point lists its 10 nearest
 * in code space, which equal a brute-force kNN on the codes the CSV export
 * gives; clicking a neighbour pins it; the toolbar's toggle turns images off.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadMnist } from '../../src-main/engine/datasets/mnist.js';
import type { Dataset } from '../../src-main/engine/datasets/types.js';
import { parseCsv } from '../../src-main/engine/export/csv.js';
import { thumbnailPixels } from '../../src-main/engine/jobs/thumbnails.js';
import type { WebServer } from '../../src-main/web/server.js';
import { ARTIFACTS, openApp, type TestBrowser } from './harness.js';

const N = 1500;
let server: WebServer;
let browser: TestBrowser;
let page: Page;
let mnist: Dataset;

interface ImageState {
  mode: string;
  displayPx: number;
  tile: number;
  drawn: number[];
  planned: number;
}

/** The image layer's state in the page (window.aeMap.images.state). */
function images(): Promise<ImageState> {
  return page.evaluate(() => (window as unknown as { aeMap: { images: { state: ImageState } } }).aeMap.images.state);
}

/** Waits until the image layer draws every item it planned, in `mode`. */
async function waitForImages(mode: string): Promise<ImageState> {
  await page.waitForFunction(
    (m) => {
      const s = (window as unknown as { aeMap: { images: { state: ImageState } } }).aeMap.images.state;
      return s.mode === m && s.drawn.length > 0 && s.drawn.length === s.planned;
    },
    mode,
    { timeout: 30_000 },
  );
  // The frame after the last batch.
  await page.waitForTimeout(300);
  return images();
}

/** Screen positions (CSS px in the map) of some points. */
function screenOf(indices: number[]): Promise<{ x: number; y: number }[]> {
  return page.evaluate((ix) => {
    const m = (window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }).aeMap;
    return ix.map((i) => m.pointToScreen(i));
  }, indices);
}

type Canvas = ReturnType<typeof PNG.sync.read>;

/** The map's canvas as it is drawn now. */
async function canvasPng(): Promise<Canvas> {
  const url = await page.evaluate(() => (window as unknown as { aeMap: { toDataURL(): string } }).aeMap.toDataURL());
  return PNG.sync.read(Buffer.from(url.split(',')[1], 'base64'));
}

/**
 * Mean absolute difference between the canvas inside the image drawn at
 * screen centre (cx, cy), `side` px a side, and an item's thumbnail: each
 * thumbnail pixel is compared with the canvas at the middle of where it lands
 * (inside the frame, which takes up to 12 % of the side).
 */
function differenceAt(png: Canvas, cx: number, cy: number, side: number, item: number, tile: number): number {
  const t = thumbnailPixels(mnist, [item], tile);
  const border = Math.min(0.12, 1.5 / side);
  const left = cx - side / 2;
  const top = cy - side / 2;
  let sum = 0;
  for (let r = 0; r < t.height; r++)
    for (let c = 0; c < t.width; c++) {
      const x = Math.floor(left + side * (border + ((c + 0.5) / t.width) * (1 - 2 * border)));
      const y = Math.floor(top + side * (border + ((r + 0.5) / t.height) * (1 - 2 * border)));
      const o = 4 * (y * png.width + x);
      sum += Math.abs(png.data[o] - t.pixels[r * t.width + c]);
    }
  return sum / (t.height * t.width);
}

/** Brute-force k nearest rows to row i by squared Euclidean distance, summed in the engine's order. */
function bruteForceKnn(codes: Float32Array, d: number, i: number, k: number): number[] {
  const n = codes.length / d;
  const rows: { j: number; s: number }[] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const u = codes[j * d + t] - codes[i * d + t];
      s += u * u;
    }
    rows.push({ j, s });
  }
  return rows
    .sort((a, b) => a.s - b.s || a.j - b.j)
    .slice(0, k)
    .map((r) => r.j);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mnist = await loadMnist(N);
  ({ server, browser, page } = await openApp({ acceptDownloads: true }, 60_000));
  await page.fill('[data-testid=subset]', String(N));
  await page.fill('[data-testid=epochs]', '2');
  await page.click('[data-testid=train]');
  await page.waitForFunction(
    (n) =>
      Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === n &&
      !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
    N,
    { timeout: 240_000 },
  );
  await page.waitForTimeout(600);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('images on the map', () => {
  it('zoomed out, shows one representative image per crowded region, none overlapping', async () => {
    const s = await waitForImages('representatives');
    expect(s.drawn.length).toBeGreaterThanOrEqual(8);
    expect(s.displayPx).toBe(40);
    const at = await screenOf(s.drawn);
    for (let a = 0; a < at.length; a++)
      for (let b = a + 1; b < at.length; b++)
        expect(Math.abs(at[a].x - at[b].x) >= 40 || Math.abs(at[a].y - at[b].y) >= 40).toBe(true);
    // The representatives of ten digit clusters are images of most digits.
    expect(new Set(s.drawn.map((i) => mnist.labels[i])).size).toBeGreaterThanOrEqual(7);
    await page.screenshot({ path: path.join(ARTIFACTS, 'image-map-zoomed-out.png') });
  });

  it('zoomed in until points stand apart, draws each as its own image: the canvas shows the items’ pixels', async () => {
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    // Zoom in at the centre until the points stand apart, then two steps more (images about 2.5× as large).
    const zoomIn = async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -300);
      await page.mouse.move(box.x + 2, box.y + box.height - 2);
      await page.waitForTimeout(400);
    };
    for (let k = 0; k < 12 && (await images()).mode !== 'items'; k++) await zoomIn();
    await zoomIn();
    await zoomIn();
    const s = await waitForImages('items');
    expect(s.displayPx).toBeGreaterThanOrEqual(14);
    const png = await canvasPng();
    const at = await screenOf(s.drawn);
    // Images that no other covers and that lie wholly on the canvas (and off the toolbar and the card).
    const half = s.displayPx / 2 + 1;
    const alone = s.drawn.filter((_, a) => {
      const p = at[a];
      if (p.x < half || p.y < 60 || p.x > png.width - 320 || p.y > png.height - half) return false;
      return at.every((q, b) => b === a || Math.abs(q.x - p.x) >= 2 * half || Math.abs(q.y - p.y) >= 2 * half);
    });
    expect(alone.length).toBeGreaterThanOrEqual(3);
    let checked = 0;
    for (const item of alone.slice(0, 12)) {
      const p = at[s.drawn.indexOf(item)];
      const own = differenceAt(png, p.x, p.y, s.displayPx, item, s.tile);
      // Another digit's image at the same place: the comparison can fail.
      const other = s.drawn.find((j) => mnist.labels[j] !== mnist.labels[item] && j !== item) ?? (item + 1) % N;
      const wrong = differenceAt(png, p.x, p.y, s.displayPx, other, s.tile);
      expect(own).toBeLessThan(8);
      expect(wrong).toBeGreaterThan(own + 15);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'image-map-zoomed-in.png') });
  });

  it('pinning a point lists its 10 nearest in code space (the codes’ brute-force kNN) and rings them; a click on one pins it', async () => {
    const d = await browser.download(page, async () => {
      await page.click('[data-testid=csv-options]');
      await page.check('[data-testid=csv-column-code]');
      await page.click('[data-testid=export-csv]');
    });
    const rows = parseCsv(readFileSync(d.path, 'utf8'));
    const zCols = rows[0].map((h, c) => (/^z\d+$/.test(h) ? c : -1)).filter((c) => c >= 0);
    const codes = new Float32Array(N * zCols.length);
    for (let i = 0; i < N; i++) zCols.forEach((c, t) => (codes[i * zCols.length + t] = Number(rows[i + 1][c])));

    const s = await images();
    // A point in the open, away from the card and the panel that will float on the right.
    const at = await screenOf(s.drawn);
    const target = s.drawn.find((_, a) => at[a].x > 300 && at[a].x < 700 && at[a].y > 150 && at[a].y < 650);
    if (target === undefined) throw new Error(`no image drawn in the open part of the map (${s.drawn.length} drawn)`);
    const [p] = await screenOf([target]);
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    await page.mouse.click(box.x + p.x, box.y + p.y);
    await page.waitForSelector(`[data-testid=neighbour-panel][data-index="${target}"] [data-testid=neighbour] canvas`);
    const listed = await page
      .locator('[data-testid=neighbour]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
    expect(listed).toEqual(bruteForceKnn(codes, zCols.length, target, 10));
    const distances = await page.locator('[data-testid=neighbour-distance]').allInnerTexts();
    expect(distances.map(Number)).toEqual([...distances.map(Number)].sort((a, b) => a - b));
    const overlap = Number(await page.locator('[data-testid=neighbour-overlap]').getAttribute('data-overlap'));
    expect(overlap).toBeGreaterThanOrEqual(0);
    expect(overlap).toBeLessThanOrEqual(10);
    expect(await page.locator('[data-testid=neighbour-overlap]').innerText()).toMatch(
      new RegExp(`^${overlap} of 10 also near on the map`),
    );
    await page.mouse.move(box.x + 2, box.y + box.height - 2);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'image-map-neighbours.png') });
    // The whole map, with the neighbours ringed wherever the map put them.
    await page.keyboard.press('f');
    await waitForImages('representatives');
    await page.screenshot({ path: path.join(ARTIFACTS, 'image-map-neighbours-fit.png') });

    await page.locator('[data-testid=neighbour]').nth(3).click();
    await page.waitForSelector(`[data-testid=neighbour-panel][data-index="${listed[3]}"] [data-testid=neighbour]`);
    expect(await page.locator('[data-testid=card-index]').innerText()).toBe(String(listed[3]));
    const next = await page
      .locator('[data-testid=neighbour]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
    expect(next).toEqual(bruteForceKnn(codes, zCols.length, listed[3], 10));
  });

  it('the toolbar’s Images toggle turns the images off and on', async () => {
    await page.keyboard.press('Escape');
    const before = await waitForImages('items');
    const item = before.drawn[0];
    const [p] = await screenOf([item]);
    await page.click('[data-testid=images-toggle]');
    expect(await page.locator('[data-testid=images-toggle]').getAttribute('aria-pressed')).toBe('false');
    await page.waitForTimeout(400);
    expect((await images()).mode).toBe('none');
    const off = await canvasPng();
    // Where the image was, the canvas no longer shows it.
    expect(differenceAt(off, p.x, p.y, before.displayPx, item, before.tile)).toBeGreaterThan(15);
    await page.click('[data-testid=images-toggle]');
    await waitForImages('items');
  });
});
