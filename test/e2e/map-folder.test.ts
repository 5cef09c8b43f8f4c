import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { ARTIFACTS, openApp, type TestBrowser } from './harness.js';

const PER_CLASS = 30;
let server: WebServer;
let browser: TestBrowser;
let page: Page;
let dir: string;

/** A 16×16 gray image: a disc or a square of a brightness that varies with k. */
function shape(kind: 'disc' | 'square', k: number): Promise<Buffer> {
  const px = Buffer.alloc(16 * 16);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const on =
        kind === 'disc' ? (x - 7.5) ** 2 + (y - 7.5) ** 2 < 30 : Math.abs(x - 7.5) < 5 && Math.abs(y - 7.5) < 5;
      px[y * 16 + x] = on ? 120 + 4 * k : 0;
    }
  return sharp(px, { raw: { width: 16, height: 16, channels: 1 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ae-map-folder-'));
  for (const kind of ['disc', 'square'] as const) {
    mkdirSync(path.join(dir, kind));
    for (let k = 0; k < PER_CLASS; k++) {
      await sharp(await shape(kind, k)).toFile(path.join(dir, kind, `${kind}-${String(k).padStart(2, '0')}.png`));
    }
  }
  ({ server, browser, page } = await openApp());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an image folder typed into the web page', () => {
  it('loads the folder the user typed, trains a convolutional autoencoder, and draws one point per image', async () => {
    await page.click('[data-testid=source-folder]');
    await page.fill('[data-testid=folder-path]', dir);
    await page.click('[data-testid=load-folder]');
    await expect
      .poll(() => page.locator('[data-testid=dataset-summary]').innerText(), { timeout: 60_000 })
      .toContain(`${2 * PER_CLASS} images`);
    expect(await page.locator('[data-testid=legend-item] .name').allInnerTexts()).toEqual(['disc', 'square']);
    // A kind other than the default: the convolutional autoencoder.
    await page.selectOption('[data-testid=model]', 'conv');
    expect(await page.locator('[data-testid=model] option[value=conv]').isDisabled()).toBe(false);
    expect(await page.inputValue('[data-testid=model]')).toBe('conv');
    await page.fill('[data-testid=epochs]', '2');
    await page.click('[data-testid=train]');
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === n &&
        !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
      2 * PER_CLASS,
      { timeout: 180_000 },
    );
  }, 240_000);

  it('finds an item by file name, pins it and flies to it', async () => {
    await page.fill('[data-testid=search]', 'square-07');
    await page.press('[data-testid=search]', 'Enter');
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid=hover-card] .file')
            .innerText()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('square-07.png');
    expect(await page.locator('[data-testid=card-label]').innerText()).toBe('square');
    const index = Number(await page.locator('[data-testid=card-index]').innerText());
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    await expect
      .poll(
        async () => {
          const s = await page.evaluate(
            (i) =>
              (
                window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }
              ).aeMap.pointToScreen(i),
            index,
          );
          return Math.hypot(s.x - box.width / 2, s.y - box.height / 2);
        },
        { timeout: 5_000 },
      )
      .toBeLessThan(1);
    // A query matching several files lists them all.
    await page.fill('[data-testid=search]', 'disc-1');
    await page.press('[data-testid=search]', 'Enter');
    await expect.poll(() => page.locator('[data-testid=search-results] li').count(), { timeout: 10_000 }).toBe(10);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-folder-search.png') });
  });

  it('shows the noisy input and the denoised output on the card for the denoising model', async () => {
    await page.selectOption('[data-testid=model]', 'denoising');
    await page.click('[data-testid=train]');
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled,
      null,
      {
        timeout: 120_000,
      },
    );
    await page.fill('[data-testid=search]', '5');
    await page.press('[data-testid=search]', 'Enter');
    await expect
      .poll(() => page.locator('[data-testid=hover-card] figcaption').allInnerTexts(), { timeout: 10_000 })
      .toEqual(['original', 'reconstruction', 'noisy input', 'denoised']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-denoising-card.png') });
  }, 180_000);
});
