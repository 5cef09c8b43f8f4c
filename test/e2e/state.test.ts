/**
 * The page's record chain, end to end: whatever replaces the dataset (another
 * folder, a reopened session, another subset size) leaves nothing of the old
 * map, loss chart, metrics or model on the page (issue 12).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { ARTIFACTS, openApp, type TestBrowser } from './harness.js';

const MNIST_N = 300;
const PER_CLASS = 20;
const FOLDER_N = 2 * PER_CLASS;
let server: WebServer;
let browser: TestBrowser;
let page: Page;
let dir: string;

/** A 16×16 RGBA PNG: a bright ring (class "ring") or a bar (class "bar"), shifted by k. */
function image(kind: 'ring' | 'bar', k: number): Buffer {
  const size = 16;
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - 7.5, y - 7.5);
      const on = kind === 'ring' ? Math.abs(r - 5) < 1.5 : Math.abs(x - 4 - (k % 8)) < 2;
      const v = on ? 150 + 5 * (k % 20) : 0;
      data.set([v, v, v, 255], 4 * (y * size + x));
    }
  return PNG.sync.write({ width: size, height: size, data });
}

const points = () => page.locator('[data-testid=map]').getAttribute('data-points').then(Number);
const summary = () => page.locator('[data-testid=dataset-summary]').innerText();

/**
 * Nothing of a trained model on the page: the dataset's own map of its n pixels with the note saying so, no loss
 * curve, no mean error, no Re-project.
 */
async function expectPixelsOnly(n: number): Promise<void> {
  await expect.poll(points, { timeout: 60_000 }).toBe(n);
  // What the canvas draws, not only what the page passed it.
  expect(await page.evaluate(() => (window as unknown as { aeMap: { count: number } }).aeMap.count)).toBe(n);
  expect(await page.locator('[data-testid=map-note]').innerText()).toMatch(/^PCA of the pixels — /);
  expect(await page.locator('[data-testid=loss-chart] polyline').count()).toBe(0);
  expect(await page.locator('[data-testid=mean-error]').count()).toBe(0);
  expect(await page.locator('[data-testid=projection-status]').innerText()).toMatch(/^PCA of the pixels/);
  expect(await page.locator('[data-testid=reproject]').isDisabled()).toBe(true);
}

/**
 * Training on a newly loaded subset of n: the old subset's map, metrics and Re-project are gone. The map is the new
 * pixels' or, once the first snapshot of the run arrives, the live map of its codes (the loss chart then draws the
 * new run's batches, so it is not checked here).
 */
async function expectNewSubsetTraining(n: number): Promise<void> {
  await expect.poll(points, { timeout: 60_000 }).toBe(n);
  expect(await page.evaluate(() => (window as unknown as { aeMap: { count: number } }).aeMap.count)).toBe(n);
  expect(await page.locator('[data-testid=map-note]').innerText()).toMatch(
    /^(PCA of the pixels — |PCA of the codes (during|after) epoch )/,
  );
  expect(await page.locator('[data-testid=mean-error]').count()).toBe(0);
  const status = page.locator('[data-testid=projection-status]');
  if ((await status.count()) > 0) expect(await status.innerText()).toMatch(/^PCA of the pixels/);
  expect(await page.locator('[data-testid=reproject]').isDisabled()).toBe(true);
}

/** Nothing loaded at all (the engine restarted): empty map with the prompt, no loss curve, no metrics, no Re-project. */
async function expectNothingLoaded(prompt: string): Promise<void> {
  expect(await points()).toBe(0);
  // What the canvas draws, not only what the page passed it.
  expect(await page.evaluate(() => (window as unknown as { aeMap: { count: number } }).aeMap.count)).toBe(0);
  expect(await page.locator('[data-testid=map-empty]').innerText()).toContain(prompt);
  expect(await page.locator('[data-testid=loss-chart] polyline').count()).toBe(0);
  expect(await page.locator('[data-testid=mean-error]').count()).toBe(0);
  expect(await page.locator('[data-testid=projection-status]').count()).toBe(0);
  expect(await page.locator('[data-testid=reproject]').isDisabled()).toBe(true);
}

/** Clicks Train & project and waits until the map has n points and the page is idle. */
async function trainAndWait(n: number): Promise<void> {
  await page.click('[data-testid=train]');
  await page.waitForFunction(
    (n) =>
      Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === n &&
      !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
    n,
    { timeout: 90_000 },
  );
  expect(await page.locator('[data-testid=mean-error]').count()).toBe(1);
  expect(await page.locator('[data-testid=reproject]').isDisabled()).toBe(false);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ae-state-'));
  for (const kind of ['ring', 'bar'] as const) {
    mkdirSync(path.join(dir, kind));
    for (let k = 0; k < PER_CLASS; k++) writeFileSync(path.join(dir, kind, `${kind}-${k}.png`), image(kind, k));
  }
  ({ server, browser, page } = await openApp({ acceptDownloads: true }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('what the page shows follows the loaded dataset', () => {
  it('drops the MNIST map, loss, metrics and Re-project when a folder loads, then maps the folder', async () => {
    await page.fill('[data-testid=subset]', String(MNIST_N));
    await page.fill('[data-testid=epochs]', '1');
    await trainAndWait(MNIST_N);
    expect(await page.locator('[data-testid=projection-status]').innerText()).toMatch(/t-SNE/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-1-mnist-trained.png') });

    await page.click('[data-testid=source-folder]');
    await page.fill('[data-testid=folder-path]', dir);
    await page.click('[data-testid=load-folder]');
    await expect.poll(summary, { timeout: 60_000 }).toContain(`${FOLDER_N} images`);
    await expectPixelsOnly(FOLDER_N);
    expect(await page.locator('[data-testid=status-bar]').innerText()).toContain(`N = ${FOLDER_N}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-2-folder-loaded.png') });

    await trainAndWait(FOLDER_N);
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-3-folder-trained.png') });
  });

  it('shows a reopened session instead of the run before it', async () => {
    // The folder's run, saved; then an MNIST run; then the folder's session again.
    // The harness saves it outside the folder: the session reopens the folder, which must not gain a file.
    const file = (await browser.download(page, () => page.click('[data-testid=save-session]'))).path;
    await page.check('input[type=radio][value=mnist]');
    await trainAndWait(MNIST_N);
    const mnistError = await page.locator('[data-testid=mean-error]').innerText();

    await page.setInputFiles('[data-testid=session-file]', file);
    await expect.poll(summary, { timeout: 60_000 }).toContain(`${FOLDER_N} images`);
    await page.waitForFunction(() => !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled);
    expect(await points()).toBe(FOLDER_N);
    expect(await page.locator('[data-testid=mean-error]').innerText()).not.toBe(mnistError);
    expect(await page.locator('[data-testid=status-bar]').innerText()).toContain(`N = ${FOLDER_N}`);
    expect(await page.locator('[data-testid=reproject]').isDisabled()).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-4-session-opened.png') });
  });

  it('drops the old subset’s map as soon as another subset size loads', async () => {
    await page.check('input[type=radio][value=mnist]');
    await page.fill('[data-testid=subset]', String(MNIST_N));
    await trainAndWait(MNIST_N);
    await page.fill('[data-testid=subset]', '400');
    await page.fill('[data-testid=epochs]', '4');
    await page.click('[data-testid=train]');
    await expect.poll(summary, { timeout: 60_000 }).toContain('400 images');
    // Training the new subset: the 300-point map and its numbers are gone already; the new subset's map shows.
    await expectNewSubsetTraining(400);
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-5-subset-training.png') });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === 400 &&
        !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
      null,
      { timeout: 90_000 },
    );
    expect(await page.locator('[data-testid=status-bar]').innerText()).toContain('N = 400');
  });
  it('drops everything when the engine dies mid-training, says so, and trains again without a reload', async () => {
    await page.fill('[data-testid=subset]', String(MNIST_N));
    await page.fill('[data-testid=epochs]', '20');
    await page.click('[data-testid=train]');
    await page.waitForSelector('[data-testid=progress]:has-text("epoch")', { timeout: 60_000 });
    const pid = server.enginePid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await page.waitForSelector('[data-testid=engine-restarted]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=engine-restarted]').innerText()).toMatch(/restarted/);
    await page.waitForFunction(() => !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled);
    // No dataset, no model: the summary falls back to the bundled MNIST, the map to the prompt.
    expect(await summary()).toBe('MNIST (bundled)');
    await expectNothingLoaded(`${MNIST_N} MNIST images`);
    expect(await page.locator('[data-testid=status-bar]').innerText()).toContain('N = 0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'state-6-engine-restarted.png') });
    await page.fill('[data-testid=epochs]', '1');
    await trainAndWait(MNIST_N);
    expect(await page.locator('[data-testid=engine-restarted]').count()).toBe(0);
  });
});
