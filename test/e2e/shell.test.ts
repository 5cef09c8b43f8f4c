import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { launchChromium, startBuiltServer, type TestBrowser } from './harness.js';

let server: WebServer;
let browser: TestBrowser;
let page: Page;

type Shell = { fire(action: string): void };

beforeAll(async () => {
  server = await startBuiltServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 760 }, colorScheme: 'light' });
  // The desktop preload's window.aeExplorerShell, as the page sees it: menu actions arrive through onMenuAction.
  await page.addInitScript(() => {
    const listeners = new Set<(a: string) => void>();
    (window as unknown as { aeExplorerShell: unknown }).aeExplorerShell = {
      onMenuAction(l: (a: string) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    (window as unknown as { testShell: Shell }).testShell = { fire: (a) => listeners.forEach((l) => l(a)) };
  });
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const theme = () => page.evaluate(() => document.documentElement.dataset.theme);

describe('the page and the desktop shell', () => {
  it('follows the preferred colour scheme when it changes while open (View → Theme sets it)', async () => {
    await expect.poll(theme).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(theme).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
  });

  it('fits the map again on View → Reset View', async () => {
    await page.fill('[data-testid=subset]', '300');
    await page.fill('[data-testid=epochs]', '1');
    await page.selectOption('[data-testid=method]', 'pca');
    await page.click('[data-testid=train]');
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) === 300 &&
        !document.querySelector('[data-testid=progress]') &&
        !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled &&
        !!document.querySelector('[data-testid=projection-status]')?.textContent?.includes('of the codes'),
      null,
      { timeout: 120_000 },
    );
    await page.waitForTimeout(800); // let the position transition settle
    const where = () =>
      page.evaluate(() =>
        (window as unknown as { aeMap: { pointToScreen(i: number): { x: number; y: number } } }).aeMap.pointToScreen(0),
      );
    const fitted = await where();
    const box = (await page.locator('[data-testid=map] canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 3);
    await page.mouse.wheel(0, -600);
    await expect.poll(async () => Math.abs((await where()).x - fitted.x)).toBeGreaterThan(20);
    await page.evaluate(() => (window as unknown as { testShell: Shell }).testShell.fire('reset-view'));
    await expect.poll(async () => Math.abs((await where()).x - fitted.x)).toBeLessThan(1);
    await expect.poll(async () => Math.abs((await where()).y - fitted.y)).toBeLessThan(1);
  }, 180_000);
});
