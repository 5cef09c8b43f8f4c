/**
 * `npx tsx test/e2e/live-full-mnist.ts` (after `npm run build`): issue 15's
 * point 5 for the live map. Drives the real app in web mode on all 70,000
 * MNIST images (N=…, EPOCHS=… to change), trains with the live map, hovers
 * the map during training, and prints what the page saw: the live maps (how
 * many, what they mapped, their cost), the card's reconstruction errors
 * while training, and the page's long tasks (JavaScript blocking
 * the page, from a PerformanceObserver) up to the t-SNE's first frame.
 * Screenshots go to test/artifacts/live-full-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { ARTIFACTS, launchChromium, startBuiltServer } from './harness.js';

const N = Number(process.env.N ?? 70_000);
const EPOCHS = Number(process.env.EPOCHS ?? 2);
mkdirSync(ARTIFACTS, { recursive: true });
const server = await startBuiltServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=legend]', { timeout: 60_000 });
  await page.fill('[data-testid=subset]', String(N));
  await page.fill('[data-testid=epochs]', String(EPOCHS));
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  await page.evaluate(`(() => {
    window.__long = { max: 0, over200: 0, count: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__long.count++;
        window.__long.max = Math.max(window.__long.max, Math.round(e.duration));
        if (e.duration > 200) window.__long.over200++;
      }
    }).observe({ type: 'longtask' });
  })()`);
  const t0 = performance.now();
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(0);
  await page.click('[data-testid=train]');
  const maps = new Map<string, number>();
  const card: string[] = [];
  let shots = 0;
  for (;;) {
    await page.waitForTimeout(500);
    const s = (await page.evaluate(`({
      note: document.querySelector('[data-testid=live-note]')?.textContent ?? '',
      cost: Number(document.querySelector('[data-testid=live-note]')?.getAttribute('data-seconds') ?? 0),
      status: document.querySelector('footer')?.textContent?.replace(/\\s+/g, ' ') ?? '',
      error: document.querySelector('[data-testid=card-error]')?.textContent ?? '',
    })`)) as { note: string; cost: number; status: string; error: string };
    if (s.note && !maps.has(s.note + s.cost)) {
      maps.set(s.note + s.cost, s.cost);
      console.log(`${seconds()} s  ${s.note} (${s.cost.toFixed(2)} s)`);
      if (shots < 3) await page.screenshot({ path: path.join(ARTIFACTS, `live-full-${shots++}.png`) });
      // Hover the middle of the map: the card reconstructs with the model in training.
      const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    }
    if (s.note && s.error && card.at(-1) !== s.error) card.push(s.error);
    if (/t-SNE iteration \d+/.test(s.status)) break;
    if (performance.now() - t0 > 1_800_000) throw new Error('no t-SNE frame after 30 minutes');
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'live-full-tsne.png') });
  const long = (await page.evaluate('window.__long')) as { max: number; over200: number; count: number };
  const costs = [...maps.values()];
  console.log(
    `${N} images, ${EPOCHS} epochs: ${costs.length} live maps (${costs.map((c) => c.toFixed(2)).join(', ')} s), ` +
      `t-SNE's first frame at ${seconds()} s; the card showed ${card.length} reconstruction errors while training ` +
      `(${card[0] ?? '-'} first, ${card.at(-1) ?? '-'} last; the point under the cursor changes as the map moves); ` +
      `long tasks: ${long.count}, ${long.over200} over 200 ms, longest ${long.max} ms`,
  );
  await page.click('[data-testid=cancel]').catch(() => undefined);
} finally {
  await browser.close();
  await server.close();
}
