/**
 * Watching the model learn, in web mode with the real engine: during a
 * 3-epoch run the map draws the live PCA of the codes after each epoch (the
 * points move), the loss chart gets per-batch points while it runs, and the
 * t-SNE takes over afterwards.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { ARTIFACTS, openApp, type TestBrowser } from './harness.js';

const N = 1000;
/** Points whose screen positions are compared from one snapshot to the next. */
const WATCHED = 40;

/** What the page showed at one moment of the run, as the in-page recorder saw it. */
interface Seen {
  note: string;
  /** What the engine said the snapshot cost, in seconds. */
  seconds: number;
  points: { x: number; y: number }[];
  batches: number;
  epochs: number;
}

let server: WebServer;
let browser: TestBrowser;
let page: Page;
let seen: Seen[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ({ server, browser, page } = await openApp());
  await page.fill('[data-testid=subset]', String(N));
  await page.fill('[data-testid=epochs]', '3');
  // Every 50 ms, the live note, the watched points' screen positions (where they rest after the
  // transition) and the loss chart's per-batch point count, kept whenever anything of it changed.
  await page.evaluate((watched) => {
    const w = window as unknown as {
      aeMap: { pointToScreen(i: number): { x: number; y: number }; count: number };
      __seen: Seen[];
    };
    w.__seen = [];
    setInterval(() => {
      const noteEl = document.querySelector('[data-testid=live-note]');
      const note = noteEl?.textContent ?? '';
      const seconds = Number(noteEl?.getAttribute('data-seconds') ?? 0);
      const points =
        w.aeMap.count >= watched ? Array.from({ length: watched }, (_, i) => w.aeMap.pointToScreen(i)) : [];
      const chart = document.querySelector('[data-testid=loss-batches]');
      const entry = {
        note,
        seconds,
        points,
        batches: Number(chart?.getAttribute('data-points') ?? 0),
        epochs: document.querySelectorAll('[data-testid=loss-chart] polyline.train').length,
      };
      const last = w.__seen.at(-1);
      if (!last || JSON.stringify(last) !== JSON.stringify(entry)) w.__seen.push(entry);
    }, 50);
  }, WATCHED);
  await page.click('[data-testid=train]');
  await page
    .waitForFunction(
      () => /epoch 1\b/.test(document.querySelector('[data-testid=live-note]')?.textContent ?? ''),
      null,
      { timeout: 240_000 },
    )
    .catch(async (e: Error) => {
      // What the page shows instead (the status bar says how far training got).
      await page.screenshot({ path: path.join(ARTIFACTS, 'live-training-timeout.png') });
      throw e;
    });
  await page.waitForTimeout(700);
  await page.screenshot({ path: path.join(ARTIFACTS, 'live-training-epoch1.png') });
  // Training is over once the t-SNE's progress shows; its first frame replaces the live map.
  await page.waitForFunction(() => !document.querySelector('[data-testid=live-note]'), null, { timeout: 240_000 });
  seen = await page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * The last thing the recorder saw while the live map showed epoch k (a map
 * taken during it on a slow machine, or at its end), with the points at rest.
 */
function lastOfEpoch(k: number): Seen | undefined {
  return seen
    .filter((s) => new RegExp(`(during|after) epoch ${k} `).test(s.note) && s.points.length === WATCHED)
    .at(-1);
}

const moved = (a: Seen, b: Seen) =>
  a.points.reduce((s, p, i) => s + Math.hypot(p.x - b.points[i]!.x, p.y - b.points[i]!.y), 0) / a.points.length;

describe('watching the model learn', () => {
  it('moves the points after each epoch of a 3-epoch run', () => {
    const [e1, e2, e3] = [1, 2, 3].map(lastOfEpoch);
    const notes = `snapshots seen: ${[...new Set(seen.map((s) => s.note))].join(' | ')}`;
    expect(e1, notes).toBeDefined();
    expect(e2, notes).toBeDefined();
    expect(e3, notes).toBeDefined();
    console.log(`[live] snapshot seconds: ${[e1, e2, e3].map((e) => e!.seconds.toFixed(3)).join(', ')}`);
    // The run's last map is always the one after its last epoch (from the final codes).
    expect(e3!.note).toContain('after epoch 3');
    // On screen, each watched point moved by more than a pixel on average from one epoch to the next.
    expect(moved(e1!, e2!)).toBeGreaterThan(1);
    expect(moved(e2!, e3!)).toBeGreaterThan(1);
  });

  it('draws per-batch loss points while the run goes, ahead of the epoch points', () => {
    const during = seen.filter((s) => s.note.includes('the map follows the model'));
    expect(during.length).toBeGreaterThan(0);
    const counts = seen.map((s) => s.batches);
    // The curve grew during the run, by more points than there are epochs.
    expect(Math.max(...counts)).toBeGreaterThan(3);
    expect(new Set(counts.filter((c) => c > 0)).size).toBeGreaterThan(3);
  });

  it('hands the map to the t-SNE after training', async () => {
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === n,
      N,
    );
    expect(await page.locator('[data-testid=live-note]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'live-training-tsne.png') });
  });
});
