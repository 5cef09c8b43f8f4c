import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../../src-main/engine/export/csv.js';
import type { WebServer } from '../../src-main/web/server.js';
import { expectCardFor } from './card.js';
import { ARTIFACTS, launchChromium, startBuiltServer, type TestBrowser } from './harness.js';

const N = 500;
let server: WebServer;
let browser: TestBrowser;
let page: Page;

/** Screen position of point i in page coordinates, from the map's own camera. */
async function pointOnPage(i: number): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(
    (i) =>
      (window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }).aeMap.pointToScreen(i),
    i,
  );
  const box = (await page.locator('[data-testid=map] canvas').boundingBox())!;
  return { x: box.x + p.x, y: box.y + p.y };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startBuiltServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the MNIST slice in web mode', () => {
  it('loads the page with the bundled MNIST and names the backend', async () => {
    await page.goto(server.url);
    await expect
      .poll(() => page.locator('[data-testid=backend]').innerText(), { timeout: 30_000 })
      .toMatch(/wasm|cpu|tensorflow/);
    await expect
      .poll(() => page.locator('[data-testid=dataset-summary]').innerText(), { timeout: 30_000 })
      .toContain('MNIST');
  });

  it('trains with progress shown, then draws one point per image', async () => {
    await page.fill('[data-testid=subset]', String(N));
    await page.fill('[data-testid=epochs]', '2');
    await page.fill('[data-testid=code-size]', '16');
    await page.fill('[data-testid=learning-rate]', '0.002');
    await page.click('[data-testid=train]');
    await page.waitForSelector('[data-testid=progress]', { timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-testid=progress]').innerText(), { timeout: 30_000 })
      .toMatch(/images\/s|iterations\/s/);
    // Train & project is done when its button is back and the map is the codes' (the pixels' map is there from the
    // start, and the progress line can vanish for a moment between training and the t-SNE).
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) > 0 &&
        !document.querySelector('[data-testid=progress]') &&
        !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled &&
        !!document.querySelector('[data-testid=projection-status]')?.textContent?.includes('of the codes'),
      null,
      { timeout: 240_000 },
    );
    // Let the last position transition finish before anything hovers a point.
    await page.waitForTimeout(600);
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(String(N));
    // The hyper-parameters typed in the page reached the engine.
    expect(await page.locator('[data-testid=mean-error]').innerText()).toContain('code size 16');
    expect(await page.locator('[data-testid=loss-chart] polyline.train').getAttribute('points')).toMatch(
      /^[\d.]+,[\d.]+ [\d.]+,[\d.]+$/,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'slice-map.png') });
  }, 300_000);

  it('shows the original, the reconstruction and the right label on hover', async () => {
    // MNIST training image 0 is a 5, image 2 is a 4.
    for (const [index, label] of [
      [0, '5'],
      [2, '4'],
    ] as const) {
      const p = await pointOnPage(index);
      await page.mouse.move(p.x, p.y);
      await expectCardFor(page, index);
      expect(await page.locator('[data-testid=card-label]').innerText()).toBe(label);
      const canvases = page.locator('[data-testid=hover-card] canvas');
      expect(await canvases.count()).toBe(2);
      expect(await page.locator('[data-testid=hover-card] figcaption').allInnerTexts()).toEqual([
        'original',
        'reconstruction',
      ]);
      expect(
        Number(
          await page
            .locator('[data-testid=card-error]')
            .innerText()
            .then((t) => t.split(' ')[0]),
        ),
      ).toBeGreaterThan(0);
      // The original really holds the digit: some pixels are bright.
      const bright = await canvases.first().evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
        return n;
      });
      expect(bright).toBeGreaterThan(40);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'slice-hover.png') });
  });

  it('downloads a CSV with a header and one row per point, matching the map', async () => {
    const download = await browser.download(page, () => page.click('[data-testid=export-csv]'));
    const text = readFileSync(download.path, 'utf8');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows.length - 1).toBe(N);
    expect(rows[1][1]).toBe('5');
    // The CSV is the engine's projection: the map drew point 0 where the CSV says.
    const drawn = await page.evaluate(() => {
      const m = (
        window as unknown as {
          aeMap: {
            screenToWorld(x: number, y: number): { x: number; y: number };
            pointToScreen(i: number): { x: number; y: number };
          };
        }
      ).aeMap;
      const s = m.pointToScreen(0);
      return m.screenToWorld(s.x, s.y);
    });
    expect(Number(rows[1][2])).toBeCloseTo(drawn.x, 3);
    expect(Number(rows[1][3])).toBeCloseTo(drawn.y, 3);
  });
});
