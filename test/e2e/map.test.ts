import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../../src-main/engine/export/csv.js';
import type { WebServer } from '../../src-main/web/server.js';
import { expectCardFor } from './card.js';
import { ARTIFACTS, launchChromium, startBuiltServer, type TestBrowser } from './harness.js';

const N = 600;
let server: WebServer;
let browser: TestBrowser;
let page: Page;
/** The engine's projection, read back from its CSV export: index → [x, y, label]. */
let engineRows: { index: number; label: string; x: number; y: number }[] = [];

type MapHandle = {
  pointToScreen(i: number): { x: number; y: number };
  screenToWorld(x: number, y: number): { x: number; y: number };
  worldToScreen(x: number, y: number): { x: number; y: number };
  isShown(i: number): boolean;
};

/** Runs a function against the page's map handle (window.aeMap). */
function onMap<A, R>(fn: (m: MapHandle, arg: A) => R, arg: A): Promise<R> {
  return page.evaluate(
    ([src, a]) =>
      (new Function('m', 'a', `return (${src})(m, a)`) as (m: unknown, a: unknown) => R)(
        (window as unknown as { aeMap: unknown }).aeMap,
        a,
      ),
    [fn.toString(), arg] as const,
  );
}

async function canvasBox(): Promise<{ x: number; y: number; width: number; height: number }> {
  return (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
}

async function download(selector: string): Promise<string[][]> {
  const d = await browser.download(page, () => page.click(selector));
  return parseCsv(readFileSync(d.path, 'utf8'));
}

/** Even-odd point-in-polygon, written independently of the app's own. */
function inside(x: number, y: number, poly: { x: number; y: number }[]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i];
    const b = poly[j];
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) c = !c;
  }
  return c;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startBuiltServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('images'),
    null,
    {
      timeout: 30_000,
    },
  );
  await page.fill('[data-testid=subset]', String(N));
  await page.fill('[data-testid=epochs]', '2');
  await page.click('[data-testid=train]');
  await page.waitForFunction(
    (n) =>
      Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === n &&
      !document.querySelector('[data-testid=progress]') &&
      !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
    N,
    { timeout: 240_000 },
  );
  // Let the last position transition finish.
  await page.waitForTimeout(600);
  const rows = await download('[data-testid=export-csv]');
  engineRows = rows.slice(1).map((r) => ({ index: Number(r[0]), label: r[1], x: Number(r[2]), y: Number(r[3]) }));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the map in web mode', () => {
  it('shows the point under the cursor at the engine’s coordinates of a known point', async () => {
    expect(engineRows.length).toBe(N);
    const box = await canvasBox();
    const screen = await onMap(
      (m, pts: [number, number][]) => pts.map(([x, y]) => m.worldToScreen(x, y)),
      engineRows.map((r) => [r.x, r.y] as [number, number]),
    );
    // A point with no other within 12 px on screen, so the cursor cannot be ambiguous.
    const lonely = engineRows.findIndex((_, i) =>
      screen.every((s, j) => j === i || Math.hypot(s.x - screen[i].x, s.y - screen[i].y) > 12),
    );
    expect(lonely).toBeGreaterThanOrEqual(0);
    await page.mouse.move(box.x + screen[lonely].x, box.y + screen[lonely].y);
    await expectCardFor(page, lonely);
    expect(await page.locator('[data-testid=card-label]').innerText()).toBe(engineRows[lonely].label);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-hover.png') });
    await page.mouse.move(box.x + 5, box.y + box.height - 5);
  });

  it('selects with a lasso exactly the points inside it and exports those rows', async () => {
    const box = await canvasBox();
    const cx = Math.round(box.width / 2);
    const cy = Math.round(box.height / 2);
    // An irregular hexagon around the middle of the map, in whole pixels.
    const poly = [0, 1, 2, 3, 4, 5].map((k) => {
      const a = (k * Math.PI) / 3 + 0.2;
      const r = k % 2 ? 170 : 120;
      return { x: cx + Math.round(r * Math.cos(a)), y: cy + Math.round(r * Math.sin(a)) };
    });
    const world = await onMap((m, ps: { x: number; y: number }[]) => ps.map((p) => m.screenToWorld(p.x, p.y)), poly);
    const expected = engineRows.filter((r) => inside(r.x, r.y, world)).map((r) => r.index);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(N);

    await page.click('[data-testid=mode-lasso]');
    await page.mouse.move(box.x + poly[0].x, box.y + poly[0].y);
    await page.mouse.down();
    for (const p of [...poly.slice(1), poly[0]]) await page.mouse.move(box.x + p.x, box.y + p.y, { steps: 6 });
    await page.mouse.up();
    await expect
      .poll(() => page.locator('[data-testid=selection-count]').innerText(), { timeout: 10_000 })
      .toBe(String(expected.length));
    await expect
      .poll(() => page.locator('[data-testid=selection-thumb]').count(), { timeout: 10_000 })
      .toBe(Math.min(expected.length, 120));
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-lasso.png') });

    const rows = await download('[data-testid=selection-export]');
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected);
  });

  it('selects with a box the points inside it', async () => {
    const box = await canvasBox();
    const a = { x: Math.round(box.width * 0.3), y: Math.round(box.height * 0.25) };
    const b = { x: Math.round(box.width * 0.6), y: Math.round(box.height * 0.7) };
    const [wa, wb] = await onMap(
      (m, ps: { x: number; y: number }[]) => ps.map((p) => m.screenToWorld(p.x, p.y)),
      [a, b],
    );
    const expected = engineRows.filter(
      (r) =>
        r.x >= Math.min(wa.x, wb.x) &&
        r.x <= Math.max(wa.x, wb.x) &&
        r.y >= Math.min(wa.y, wb.y) &&
        r.y <= Math.max(wa.y, wb.y),
    ).length;
    await page.click('[data-testid=mode-box]');
    await page.mouse.move(box.x + a.x, box.y + a.y);
    await page.mouse.down();
    await page.mouse.move(box.x + b.x, box.y + b.y, { steps: 8 });
    await page.mouse.up();
    await expect
      .poll(() => page.locator('[data-testid=selection-count]').innerText(), { timeout: 10_000 })
      .toBe(String(expected));
    await page.click('[data-testid=selection-clear]');
    await page.click('[data-testid=mode-pan]');
    expect(await page.locator('[data-testid=selection-panel]').count()).toBe(0);
  });

  it('hides a class when its legend entry is toggled, and shows it again', async () => {
    const ones = engineRows.filter((r) => r.label === '1').map((r) => r.index);
    expect(ones.length).toBeGreaterThan(0);
    const toggle = page.locator('[data-testid=legend-item][data-category="1"]');
    await toggle.click();
    await expect
      .poll(() => page.locator('[data-testid=map]').getAttribute('data-visible'))
      .toBe(String(N - ones.length));
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await onMap((m, is: number[]) => is.some((i) => m.isShown(i)), ones)).toBe(false);
    // The hidden point cannot be hovered: the card never shows it.
    const box = await canvasBox();
    const p = await onMap((m, i: number) => m.pointToScreen(i), ones[0]);
    await page.mouse.move(box.x + p.x, box.y + p.y);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => document.querySelector('[data-testid=card-index]')?.textContent ?? '')).not.toBe(
      String(ones[0]),
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-legend-hidden.png') });
    await toggle.click();
    await expect.poll(() => page.locator('[data-testid=map]').getAttribute('data-visible')).toBe(String(N));
    await page.mouse.move(box.x + 5, box.y + box.height - 5);
  });

  it('finds a point by index, pins it and flies the view to it', async () => {
    const target = 123;
    await page.fill('[data-testid=search]', String(target));
    await page.press('[data-testid=search]', 'Enter');
    await expectCardFor(page, target);
    const box = await canvasBox();
    await expect
      .poll(
        async () => {
          const s = await onMap((m, i: number) => m.pointToScreen(i), target);
          return Math.hypot(s.x - box.width / 2, s.y - box.height / 2);
        },
        { timeout: 5_000 },
      )
      .toBeLessThan(1);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-search.png') });
  });

  it('moves the pinned card to a neighbour on the right with the arrow key', async () => {
    const from = 123;
    await page.locator('[data-testid=map] canvas').first().focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.locator('[data-testid=card-index]').innerText(), { timeout: 10_000 })
      .not.toBe(String(from));
    const to = Number(await page.locator('[data-testid=card-index]').innerText());
    expect(engineRows[to].x).toBeGreaterThan(engineRows[from].x);
  });

  it('shows PCA beside the map, linked: hovering one rings the same point in the other, a box selects in both', async () => {
    await page.selectOption('[data-testid=compare]', 'pca');
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=map-compare]')?.getAttribute('data-points')) === n,
      N,
      {
        timeout: 60_000,
      },
    );
    await expect
      .poll(() => page.locator('[data-testid=compare-status]').innerText(), { timeout: 10_000 })
      .toContain('PCA');
    await page.waitForTimeout(600);
    const box = (await page.locator('[data-testid=map-compare] canvas').boundingBox())!;
    type Handle = {
      pointToScreen(i: number): { x: number; y: number };
      highlightedIndex: number;
      selectedCount: number;
    };
    const target = 42;
    const p = await page.evaluate(
      (i) => (window as unknown as { aeMapCompare: Handle }).aeMapCompare.pointToScreen(i),
      target,
    );
    expect(p.x).toBeGreaterThan(0);
    expect(p.x).toBeLessThan(box.width);
    // Escape unpins the card so hovering drives it; then hover the point in the PCA view.
    await page.locator('[data-testid=map] canvas').first().focus();
    await page.keyboard.press('Escape');
    await page.mouse.move(box.x + p.x, box.y + p.y);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { aeMap: Handle }).aeMap.highlightedIndex), {
        timeout: 10_000,
      })
      .not.toBe(-1);
    const hovered = await page.evaluate(
      () => (window as unknown as { aeMapCompare: Handle }).aeMapCompare.highlightedIndex,
    );
    expect(await page.evaluate(() => (window as unknown as { aeMap: Handle }).aeMap.highlightedIndex)).toBe(hovered);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-linked.png') });
    // A box in the main view selects the same points in the PCA view.
    const mb = await canvasBox();
    await page.click('[data-testid=mode-box]');
    await page.mouse.move(mb.x + mb.width * 0.2, mb.y + mb.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(mb.x + mb.width * 0.6, mb.y + mb.height * 0.8, { steps: 6 });
    await page.mouse.up();
    const count = Number(await page.locator('[data-testid=selection-count]').innerText());
    expect(count).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { aeMapCompare: Handle }).aeMapCompare.selectedCount)).toBe(
      count,
    );
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-linked-selection.png') });
    await page.click('[data-testid=selection-clear]');
    await page.click('[data-testid=mode-pan]');
    // UMAP beside the map too, then back to the map alone.
    await page.selectOption('[data-testid=compare]', 'umap');
    await expect
      .poll(() => page.locator('[data-testid=compare-status]').innerText(), { timeout: 120_000 })
      .toMatch(/UMAP .*trust/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-linked-umap.png') });
    await page.selectOption('[data-testid=compare]', 'none');
  });

  it('colours by reconstruction error with a scale, and by k-means cluster with counts', async () => {
    await page.selectOption('[data-testid=color-by]', 'error');
    await expect.poll(() => page.locator('[data-testid=scale-legend]').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.click('[data-testid=mode-pan]');
    await page.locator('[data-testid=map] canvas').first().focus();
    await page.keyboard.press('f');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-error.png') });
    await page.fill('[data-testid=kmeans-k]', '6');
    await page.click('[data-testid=kmeans-run]');
    await expect.poll(() => page.locator('[data-testid=legend-item]').count(), { timeout: 30_000 }).toBe(6);
    expect(await page.inputValue('[data-testid=color-by]')).toBe('cluster');
    const counts = (await page.locator('[data-testid=legend-item] .count').allInnerTexts()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    await page.click('.icon[aria-label="Toggle theme"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-clusters-dark.png') });
  });
});
