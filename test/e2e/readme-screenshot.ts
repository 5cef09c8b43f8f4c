/**
 * `npm run docs:screenshot`: drives the real app in web mode (5,000 MNIST
 * images, the default model and epochs, t-SNE of the codes with the pixels'
 * t-SNE beside it; fitted, so each crowded region shows one image), hovers a point and writes
 * docs/screenshot.png. EPOCHS=n sets the epochs; BESIDE=none drops the second map.
 */
import path from 'node:path';

import { launchChromium, ROOT, startBuiltServer } from './harness.js';

const N = Number(process.env.N ?? 5000);
const EPOCHS = process.env.EPOCHS;
const BESIDE = process.env.BESIDE ?? 'pixels-tsne';
const server = await startBuiltServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=legend]', { timeout: 60_000 });
  await page.fill('[data-testid=subset]', String(N));
  if (EPOCHS) await page.fill('[data-testid=epochs]', EPOCHS);
  const idle = () =>
    page.waitForFunction(() => !document.querySelector('[data-testid=progress]'), null, { timeout: 900_000 });
  // The pixels' map comes first; beside it, the pixels' t-SNE, which needs no model.
  await idle();
  await page.selectOption('[data-testid=compare]', BESIDE);
  await page.waitForTimeout(200);
  await idle();
  const t0 = performance.now();
  await page.click('[data-testid=train]');
  await page.waitForSelector('[data-testid=progress]');
  await page.waitForFunction(
    () =>
      Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) > 0 &&
      !!document.querySelector('[data-testid=projection-status]')?.textContent?.startsWith('t-SNE of the codes') &&
      !document.querySelector('[data-testid=progress]'),
    null,
    { timeout: 900_000 },
  );
  console.log(`trained and projected ${N} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await page.waitForTimeout(500);
  const p = await page.evaluate(() =>
    (window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }).aeMap.pointToScreen(0),
  );
  const box = (await page.locator('[data-testid=map] canvas').boundingBox())!;
  await page.mouse.move(box.x + p.x, box.y + p.y);
  await page.waitForSelector('[data-testid=hover-card] canvas');
  await page.waitForTimeout(300);
  const out = path.join(ROOT, 'docs', 'screenshot.png');
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(ROOT, out)}`);
} finally {
  await browser.close();
  await server.close();
}
