import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { expectCardFor } from './card.js';
import { ARTIFACTS, openApp, type TestBrowser } from './harness.js';

let server: WebServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ({ server, browser, page } = await openApp());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Trains the chosen model on the first `n` MNIST images and waits until the map is drawn again. */
async function train(model: string, n: number, epochs: number, codeSize = '', learningRate = ''): Promise<void> {
  await page.fill('[data-testid=subset]', String(n));
  await page.selectOption('[data-testid=model]', model);
  await page.fill('[data-testid=epochs]', String(epochs));
  await page.fill('[data-testid=code-size]', codeSize);
  await page.fill('[data-testid=learning-rate]', learningRate);
  await page.click('[data-testid=train]');
  await page.waitForSelector('[data-testid=progress]', { timeout: 30_000 });
  // The whole workflow (load, train, project) is over when the button comes back.
  await page.waitForFunction(
    () =>
      !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled &&
      Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) > 0,
    null,
    { timeout: 240_000 },
  );
}

/** Gray levels of a canvas (its red channel), as drawn. */
function grays(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out: number[] = [];
    for (let i = 0; i < d.length; i += 4) out.push(d[i]!);
    return out;
  });
}

describe('autoencoder views in web mode', () => {
  it('draws the decoded latent manifold of a VAE with a 2-d latent', async () => {
    expect(await page.locator('[data-testid=manifold-panel]').count()).toBe(0);
    await train('vae', 1000, 8, '2', '0.003');
    const canvas = page.locator('[data-testid=manifold-canvas]');
    await canvas.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'models-vae-manifold.png') });
    expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([15 * 28, 15 * 28]);
    // Not blank: dark ground and bright strokes, and the corners of the plane decode to different images.
    const g = await grays(canvas);
    const bright = g.filter((v) => v > 160).length;
    const dark = g.filter((v) => v < 40).length;
    expect(bright).toBeGreaterThan(0.02 * g.length);
    expect(dark).toBeGreaterThan(0.3 * g.length);
    const cellMean = (r: number, c: number) => {
      let s = 0;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) s += g[(r * 28 + y) * 420 + c * 28 + x]!;
      return s / 784;
    };
    const corners = [cellMean(0, 0), cellMean(0, 14), cellMean(14, 0), cellMean(14, 14)];
    expect(Math.max(...corners) - Math.min(...corners)).toBeGreaterThan(5);
    const notes = await page.locator('[data-testid=manifold-panel]').innerText();
    expect(notes).toMatch(/z₁/);
    expect(notes).toMatch(/z₂/);
    expect(notes).toContain('+1.64');
    expect(notes).toContain('−1.64');
    // The panel in the other theme, for a look.
    await page.click('button[aria-label="Toggle theme"]');
    await page
      .locator('[data-testid=manifold-panel]')
      .screenshot({ path: path.join(ARTIFACTS, 'models-vae-manifold-other-theme.png') });
    await page.click('button[aria-label="Toggle theme"]');
  }, 300_000);

  it('hides the manifold for a model that has none', async () => {
    await train('simple', 1000, 1);
    await expect.poll(() => page.locator('[data-testid=manifold-panel]').count(), { timeout: 10_000 }).toBe(0);
  }, 300_000);

  it('re-noises the denoising card as the noise slider moves', async () => {
    await train('denoising', 1000, 2, '', '0.003');
    // A search pins the card to its hit, so the slider can be used.
    await page.fill('[data-testid=search]', '7');
    await page.press('[data-testid=search]', 'Enter');
    await expectCardFor(page, 7);
    const slider = page.locator('[data-testid=noise-level]');
    await expect.poll(() => slider.inputValue(), { timeout: 10_000 }).toBe('0.5');
    const noisy = page.locator('[data-testid=hover-card] canvas[aria-label="noisy input"]');
    const original = await grays(page.locator('[data-testid=hover-card] canvas[aria-label=original]'));
    const distance = async () => {
      const n = await grays(noisy);
      return n.reduce((s, v, i) => s + Math.abs(v - original[i]!), 0) / n.length;
    };
    const atTraining = await distance();
    expect(atTraining).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(ARTIFACTS, 'models-denoising-0.5.png') });

    await slider.fill('0');
    await expect.poll(() => page.locator('[data-testid=noise-level-value]').innerText()).toBe('0.00');
    await expect.poll(distance, { timeout: 10_000 }).toBe(0);
    await slider.fill('1');
    await expect.poll(distance, { timeout: 10_000 }).toBeGreaterThan(atTraining * 1.3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'models-denoising-1.0.png') });
  }, 300_000);

  it('shows each kind its own hyper-parameter, and trains the denoiser at the noise level typed', async () => {
    await page.selectOption('[data-testid=model]', 'sparse');
    await expect.poll(() => page.locator('[data-testid=l1-weight]').count()).toBe(1);
    expect(await page.locator('[data-testid=training-noise]').count()).toBe(0);
    expect(await page.locator('[data-testid=l1-weight]').getAttribute('placeholder')).toBe('1e-4');
    await page.selectOption('[data-testid=model]', 'denoising');
    await page.fill('[data-testid=training-noise]', '0.3');
    await page.screenshot({ path: path.join(ARTIFACTS, 'models-training-noise.png') });
    await train('denoising', 300, 1);
    await page.fill('[data-testid=search]', '7');
    await page.press('[data-testid=search]', 'Enter');
    await expectCardFor(page, 7);
    // The card's slider starts at the level the model was trained with, which the engine reports back.
    await expect.poll(() => page.locator('[data-testid=noise-level]').inputValue(), { timeout: 10_000 }).toBe('0.3');
    await page.selectOption('[data-testid=model]', 'simple');
    expect(await page.locator('[data-testid=training-noise]').count()).toBe(0);
  }, 300_000);
});
