/**
 * Exports in web mode, in Chromium against the real server and engine: the
 * map as a PNG at 2× with its legend, and a session saved as a download,
 * reopened after a reload (a corrupt file first) with the same map.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';

import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../../src-main/engine/export/csv.js';
import { decodeSession, encodeSession } from '../../src-main/engine/export/session.js';
import { DEFAULT_CODE_SIZE } from '../../src-main/engine/models/size.js';
import type { WebServer } from '../../src-main/web/server.js';
import { CATEGORICAL } from '../../src-renderer/map/palette.js';
import { ARTIFACTS, launchChromium, startBuiltServer, type TestBrowser } from './harness.js';

const N = 600;
let server: WebServer;
let browser: TestBrowser;
let page: Page;

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

async function waitForDataset(): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('images'),
    null,
    { timeout: 60_000 },
  );
}

/** Screen positions of every point on the map (CSS pixels in the map). */
function screenPositions(): Promise<{ x: number; y: number }[]> {
  return page.evaluate((n) => {
    const m = (window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }).aeMap;
    return Array.from({ length: n }, (_, i) => m.pointToScreen(i));
  }, N);
}

async function legendState(): Promise<string[]> {
  return page
    .locator('[data-testid=legend-item]')
    .evaluateAll((els) => els.map((e) => `${e.textContent?.trim()} ${e.getAttribute('aria-pressed')}`));
}

async function downloadFrom(selector: string): Promise<string> {
  return (await browser.download(page, () => page.click(selector))).path;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startBuiltServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await waitForDataset();
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
  // Let the last position transition finish.
  await page.waitForTimeout(600);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('exports in web mode', () => {
  it('exports the map at 2× as a PNG with points of every class and the legend’s swatches', async () => {
    await page.click('[data-testid=export-png]');
    await page.waitForSelector('[data-testid=png-dialog]');
    await page.click('[data-testid=png-size-2x]');
    expect(await page.locator('[data-testid=png-limit]').innerText()).toMatch(/Up to [\d,]+ px a side/);
    await page.screenshot({ path: '/tmp/export-png-dialog.png' });
    const file = await downloadFrom('[data-testid=png-save]');
    copyFileSync(file, '/tmp/export-map-2x.png');
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBe(Math.round(2 * box.width));
    expect(Math.abs(png.height - 2 * box.height)).toBeLessThanOrEqual(1);

    const legendAttr = await page.locator('[data-testid=png-result]').getAttribute('data-legend-box');
    const [lx, ly, lw, lh] = legendAttr!.split(',').map(Number);
    expect(lx + lw).toBeLessThanOrEqual(png.width);
    expect(lx).toBeGreaterThan(png.width / 2);
    expect(ly + lh).toBeLessThan(png.height / 2);
    const at = (x: number, y: number) => {
      const o = 4 * (y * png.width + x);
      return [png.data[o], png.data[o + 1], png.data[o + 2]];
    };
    const inLegend = (x: number, y: number) => x >= lx && x < lx + lw && y >= ly && y < ly + lh;
    const white = [255, 255, 255];
    // Points are drawn at 85 % opacity over the light theme's white map: their colour, blended once.
    const blended = CATEGORICAL.map((hex) => rgb(hex).map((c, k) => 0.85 * c + 0.15 * white[k]));
    const swatch = CATEGORICAL.map(rgb);
    const swatchPixels = new Array<number>(10).fill(0);
    const pointPixels = new Array<number>(10).fill(0);
    let background = 0;
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < png.width; x++) {
        const p = at(x, y);
        if (inLegend(x, y)) {
          swatch.forEach((s, c) => {
            if (p[0] === s[0] && p[1] === s[1] && p[2] === s[2]) swatchPixels[c]++;
          });
        } else {
          if (p[0] === 255 && p[1] === 255 && p[2] === 255) background++;
          blended.forEach((b, c) => {
            if (Math.abs(p[0] - b[0]) <= 3 && Math.abs(p[1] - b[1]) <= 3 && Math.abs(p[2] - b[2]) <= 3)
              pointPixels[c]++;
          });
        }
      }
    // A 10-pixel-radius disc per class in the legend (5 px at 1×)…
    for (const count of swatchPixels) expect(count).toBeGreaterThan(150);
    // …points of every digit on the map, and the theme's background around them.
    for (const count of pointPixels) expect(count).toBeGreaterThan(50);
    expect(background).toBeGreaterThan(png.width * png.height * 0.3);
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid=png-dialog]').count()).toBe(0);
  });

  it('saves a session as a download and reopens it after a reload with the same map, after refusing a corrupt file', async () => {
    // A view of its own: zoomed in, one class hidden.
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.6);
    await page.mouse.wheel(0, -400);
    await page.locator('[data-testid=legend-item][data-category="3"]').click();
    await page.waitForTimeout(400);
    const before = await screenPositions();
    const legendBefore = await legendState();
    const csvBefore = readFileSync(await downloadFrom('[data-testid=export-csv]'), 'utf8');
    const saved = await browser.download(page, () => page.click('[data-testid=save-session]'));
    // Named after the kind trained (the default one since the run above touched no Model field).
    expect(saved.name).toBe(`MNIST-${N}-${await page.locator('[data-testid=model]').inputValue()}.aex`);
    const file = saved.path;
    copyFileSync(file, '/tmp/export-session.aex');
    expect(readFileSync(file).subarray(0, 8).toString()).toBe('AEXSESS1');

    await page.goto(server.url);
    await waitForDataset();
    const summary = await page.locator('[data-testid=dataset-summary]').innerText();
    // The page opens on the map of the default dataset's pixels: the broken file must leave it as it is.
    await page.waitForFunction(() => !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled);
    const pointsBefore = await page.locator('[data-testid=map]').getAttribute('data-points');
    expect(Number(pointsBefore)).toBeGreaterThan(0);

    await page.setInputFiles('[data-testid=session-file]', {
      name: 'broken.aex',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('AEXSESS1 but nothing that follows makes sense'),
    });
    await page.waitForSelector('.msg.error:has-text("broken.aex")');
    expect(await page.locator('.msg.error').last().innerText()).toMatch(/broken\.aex: the session file is/);
    expect(await page.locator('[data-testid=dataset-summary]').innerText()).toBe(summary);
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(pointsBefore);
    await page.screenshot({ path: '/tmp/export-session-corrupt.png' });

    await page.setInputFiles('[data-testid=session-file]', file);
    await page.waitForSelector('.msg:has-text("opened session")', { timeout: 60_000 });
    await page.waitForTimeout(600);
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(String(N));
    const after = await screenPositions();
    for (let i = 0; i < N; i++) {
      expect(after[i].x).toBeCloseTo(before[i].x, 6);
      expect(after[i].y).toBeCloseTo(before[i].y, 6);
    }
    expect(await legendState()).toEqual(legendBefore);
    expect(legendBefore[3]).toMatch(/false$/);
    expect(await page.locator('[data-testid=epochs]').inputValue()).toBe('2');
    expect(await page.locator('[data-testid=subset]').inputValue()).toBe(String(N));
    expect(await page.locator('[data-testid=mean-error]').innerText()).toMatch(/mean reconstruction error/);
    const csvAfter = readFileSync(await downloadFrom('[data-testid=export-csv]'), 'utf8');
    expect(csvAfter).toBe(csvBefore);
    await page.screenshot({ path: '/tmp/export-session-restored.png' });
  });

  it('reopens a session whose model this version builds differently without it, saying so, then the good one again', async () => {
    // As a session saved by a version whose model of this kind had one weight array fewer.
    const older = decodeSession(readFileSync('/tmp/export-session.aex'));
    older.model!.weights.pop();
    await page.setInputFiles('[data-testid=session-file]', {
      name: 'older.aex',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(encodeSession(older)),
    });
    await page.waitForSelector('.msg:has-text("opened session")', { timeout: 60_000 });
    const warning = page.locator('.msg.warn:has-text("without the model")');
    expect(await warning.innerText()).toMatch(
      /^older\.aex: reopened the dataset without the model: the stored \w+ model has \d+ weight arrays .*built differently\. Train again to get a model and its map; the session file is unchanged/,
    );
    expect(await page.locator('[data-testid=dataset-summary]').innerText()).toMatch(new RegExp(`${N}\\b.*images`));
    expect(await page.locator('[data-testid=mean-error]').count()).toBe(0);
    await page.waitForTimeout(600);
    await page.screenshot({ path: '/tmp/export-session-older.png' });

    await page.setInputFiles('[data-testid=session-file]', '/tmp/export-session.aex');
    await page.waitForSelector('.msg:has-text("opened session export-session.aex")', { timeout: 60_000 });
    expect(await page.locator('.msg.warn').count()).toBe(0);
    await page.waitForSelector('[data-testid=mean-error]', { timeout: 60_000 });
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(String(N));
  });

  it('adds the reconstruction error, k-means cluster and latent code columns chosen in the CSV options', async () => {
    await page.fill('[data-testid=kmeans-k]', '6');
    await page.click('[data-testid=kmeans-run]');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=color-by]') as HTMLSelectElement).value === 'cluster',
      null,
      { timeout: 60_000 },
    );
    await page.click('[data-testid=csv-options]');
    for (const c of ['error', 'cluster', 'code']) await page.check(`[data-testid=csv-column-${c}]`);
    await page.screenshot({ path: '/tmp/export-csv-options.png' });
    const rows = parseCsv(readFileSync(await downloadFrom('[data-testid=export-csv]'), 'utf8'));
    // The default model's code, z0..z49.
    const z = Array.from({ length: DEFAULT_CODE_SIZE.wide! }, (_, k) => `z${k}`);
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y', 'error', 'cluster', ...z]);
    expect(rows).toHaveLength(N + 1);
    const clusters = new Set(rows.slice(1).map((r) => Number(r[5])));
    expect([...clusters].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of rows.slice(1)) {
      expect(Number(r[4])).toBeGreaterThan(0);
      expect(r.slice(6).every((v) => v !== '' && Number.isFinite(Number(v)))).toBe(true);
    }
    // The legend's counts are the cluster column's.
    const legend = await page.locator('[data-testid=legend-item]').allInnerTexts();
    legend.forEach((text, c) => {
      const count = rows.slice(1).filter((r) => Number(r[5]) === c + 1).length;
      expect(text.replace(/\s+/g, ' ').trim()).toBe(`cluster ${c + 1} ${count}`);
    });
  });

  it('shows the upload of a session with its rate, and cancels it within a second, keeping the map', async () => {
    const cdp = await page.context().newCDPSession(page);
    // A slow link (256 kB/s up), as to a remote machine, so the upload takes seconds.
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const pointsBefore = await page.locator('[data-testid=map]').getAttribute('data-points');
    await page.setInputFiles('[data-testid=session-file]', '/tmp/export-session.aex');
    await page.waitForSelector('[data-testid=progress]:has-text("uploading")', { timeout: 10_000 });
    await expect
      .poll(() => page.locator('[data-testid=progress]').innerText(), { timeout: 10_000 })
      .toMatch(/uploading .+: [\d.]+ of [\d.]+ MB · [1-9][\d,]* kB\/s · \d+ s left/);
    await page.screenshot({ path: '/tmp/export-session-upload.png' });
    const t0 = Date.now();
    await page.click('[data-testid=cancel]');
    await page.waitForSelector('.msg.error:has-text("cancelled during the upload")', { timeout: 5000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await page.locator('[data-testid=progress]').count()).toBe(0);
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(pointsBefore);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  });
});
