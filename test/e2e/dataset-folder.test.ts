import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebServer } from '../../src-main/web/server.js';
import { ARTIFACTS, launchChromium, startBuiltServer, type TestBrowser, type TestContext } from './harness.js';

let server: WebServer;
let browser: TestBrowser;
let context: TestContext;
let page: Page;
let dir: string;
let data: string;
/** A folder where nearly everything is skipped: 3,000 text files beside two images. */
let many: string;
const JUNK = 3000;
const cacheBefore = process.env.AE_EXPLORER_CACHE_DIR;

/** What the loader must report for the bad entries of the folder, file → reason. */
const BAD: Record<string, RegExp> = {
  '.DS_Store': /hidden, not read/,
  'blue/broken.png': /./,
  'blue/empty.png': /./,
  'red/loop/': /symlink loop/,
  'red/readme.txt': /not an image file \(\.txt\)/,
};

/** A colour image of one colour, w×h. */
const solid = (w: number, h: number, r: number, g: number, b: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ae-e2e-ds-'));
  // A fresh cache, so the first load really decodes (the engine inherits the variable).
  process.env.AE_EXPLORER_CACHE_DIR = path.join(dir, 'cache');
  data = path.join(dir, 'shapes dataset');
  for (const [cls, rgb] of [
    ['red', [220, 30, 30]],
    ['blue', [30, 30, 220]],
  ] as const) {
    mkdirSync(path.join(data, cls), { recursive: true });
    for (let i = 0; i < 6; i++)
      writeFileSync(path.join(data, cls, `${cls}-${i}.png`), await solid(16, 16, rgb[0], rgb[1], rgb[2] - i));
  }
  writeFileSync(path.join(data, 'red', 'wide.png'), await solid(32, 16, 200, 0, 0));
  writeFileSync(path.join(data, 'red', 'readme.txt'), 'not an image');
  writeFileSync(path.join(data, 'blue', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
  writeFileSync(path.join(data, 'blue', 'empty.png'), Buffer.alloc(0));
  writeFileSync(path.join(data, '.DS_Store'), 'junk');
  symlinkSync('..', path.join(data, 'red', 'loop'));
  many = path.join(dir, 'mostly junk');
  mkdirSync(path.join(many, 'junk'), { recursive: true });
  mkdirSync(path.join(many, 'ok'));
  for (const n of ['a', 'b']) writeFileSync(path.join(many, 'ok', `${n}.png`), await solid(8, 8, 90, 90, 90));
  for (let i = 0; i < JUNK; i++) writeFileSync(path.join(many, 'junk', `junk-${String(i).padStart(4, '0')}.txt`), 'x');
  server = await startBuiltServer();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (cacheBefore === undefined) delete process.env.AE_EXPLORER_CACHE_DIR;
  else process.env.AE_EXPLORER_CACHE_DIR = cacheBefore;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(init?: (folder: string) => void, folder = ''): Promise<Page> {
  context = await browser.newContext({
    viewport: { width: 1200, height: 760 },
    colorScheme: 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error('page error:', e.message));
  if (init) await p.addInitScript(init, folder);
  await p.goto(server.url);
  await expect
    .poll(() => p.locator('[data-testid=dataset-summary]').innerText(), { timeout: 30_000 })
    .toContain('images');
  return p;
}

const summary = () => page.locator('[data-testid=dataset-summary]').innerText();

describe('a dataset folder with bad files, in the web page', () => {
  it('passes the chosen size and grayscale to the engine', async () => {
    page = await openPage();
    await page.click('[data-testid=source-folder]');
    await page.fill('[data-testid=folder-path]', data);
    await page.click('[data-testid=folder-options] summary');
    await page.selectOption('[data-testid=size-mode]', 'custom');
    await page.fill('[data-testid=size-width]', '12');
    await page.fill('[data-testid=size-height]', '10');
    await page.check('[data-testid=force-grayscale]');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-options.png') });
    await page.click('[data-testid=load-folder]');
    // The images are 16×16 (one 32×16) RGB: 12×10×1 can only come from the options.
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/shapes dataset.*13 images.*12×10×1.*2 classes/);
    expect(await page.locator('[data-testid=dataset-note]').allInnerTexts()).toContainEqual(
      expect.stringMatching(/resized to 12×10/),
    );
    // Back to auto and colour: the most common size, RGB.
    await page.selectOption('[data-testid=size-mode]', 'auto');
    await page.uncheck('[data-testid=force-grayscale]');
    await page.click('[data-testid=load-folder]');
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/13 images.*16×16×3/);
  }, 120_000);

  it('says how many were skipped, and lists every skipped file with its reason on "show"', async () => {
    expect(await page.locator('[data-testid=skipped-summary]').innerText()).toBe('13 images loaded, 5 skipped — show');
    await page.click('[data-testid=show-skipped]');
    const items = page.locator('[data-testid=skipped-dialog] [data-testid=skipped-item]');
    await expect.poll(() => items.count()).toBe(Object.keys(BAD).length);
    const rows = await items.evaluateAll((els) =>
      els.map((e) => [e.querySelector('.file')!.textContent!, e.querySelector('.reason')!.textContent!]),
    );
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(BAD).sort());
    for (const [file, reason] of rows) expect(reason, file).toMatch(BAD[file]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-skipped.png') });
    await page.click('[data-testid=copy-skipped]');
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toContain('red/readme.txt\tnot an image file (.txt)');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=skipped-dialog]').count()).toBe(0);
  }, 60_000);

  it('lists thousands of skipped files without putting them all in the page, down to the last', async () => {
    await page.fill('[data-testid=folder-path]', many);
    await page.click('[data-testid=load-folder]');
    await expect
      .poll(() => page.locator('[data-testid=skipped-summary]').innerText(), { timeout: 60_000 })
      .toBe(`2 images loaded, ${JUNK.toLocaleString('en-US')} skipped — show`);
    await page.click('[data-testid=show-skipped]');
    const items = page.locator('[data-testid=skipped-item]');
    await expect.poll(() => items.count()).toBeGreaterThan(5);
    expect(await items.count()).toBeLessThan(60);
    expect(await items.first().locator('.file').innerText()).toBe('junk/junk-0000.txt');
    await page.locator('[data-testid=skipped-list]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect
      .poll(() => items.last().locator('.file').innerText())
      .toBe(`junk/junk-${String(JUNK - 1).padStart(4, '0')}.txt`);
    expect(await items.count()).toBeLessThan(60);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-skipped-many.png') });
    await page.click('[data-testid=skipped-dialog] .close');
    await expect.poll(() => page.locator('[data-testid=skipped-dialog]').count()).toBe(0);
  }, 90_000);

  it('offers the folder again after a reload of the page', async () => {
    await page.reload();
    await page.click('[data-testid=source-folder]');
    const offered = await page
      .locator('#recent-folders option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered.slice(0, 2)).toEqual([many, data]);
    expect(await page.getAttribute('[data-testid=folder-path]', 'list')).toBe('recent-folders');
  }, 60_000);

  it('explains in a browser that a dropped folder cannot be located, and loads nothing', async () => {
    const before = await summary();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([], 'cats'));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.locator('[data-testid=drop-overlay]').innerText()).toMatch(/type its path/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-drop-web.png') });
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([], 'cats'));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.locator('[data-testid=drop-problem]').innerText()).toMatch(/Type or paste its path/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-drop-web-problem.png') });
    expect(await page.locator('[data-testid=drop-overlay]').count()).toBe(0);
    expect(await summary()).toBe(before);
    await context.close();
  }, 60_000);
});

describe('dropping a folder on the desktop window', () => {
  it('loads the dropped folder through the shell path verb', async () => {
    // The desktop preload's window.aeExplorerShell, as the page sees it: pathForFile knows where the drop is.
    page = await openPage((folder) => {
      const w = window as unknown as { aeExplorerShell: unknown; asked: string[] };
      w.asked = [];
      const folderListeners = new Set<(p: string) => void>();
      (w as unknown as { pickFolder: (p: string) => void }).pickFolder = (p) => folderListeners.forEach((l) => l(p));
      w.aeExplorerShell = {
        onMenuAction: () => () => {},
        onOpenFolder: (l: (p: string) => void) => {
          folderListeners.add(l);
          return () => folderListeners.delete(l);
        },
        pathForFile: (f: File) => {
          w.asked.push(f.name);
          return folder;
        },
      };
    }, data);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([], 'shapes dataset'));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.locator('[data-testid=drop-overlay]').innerText()).toMatch(/Drop a folder to load it/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-drop-overlay.png') });
    const prevented = await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([], 'shapes dataset'));
      const e = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    });
    // Not prevented, Electron would navigate the window to the dropped file.
    expect(prevented).toBe(true);
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/shapes dataset.*13 images.*16×16×3/);
    expect(await page.evaluate(() => (window as unknown as { asked: string[] }).asked)).toEqual(['shapes dataset']);
    expect(await page.inputValue('[data-testid=folder-path]')).toBe(data);
    expect(await page.locator('[data-testid=drop-overlay]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dataset-dropped.png') });
  }, 120_000);

  it('loads a folder picked in the desktop menu with the options the page shows', async () => {
    await page.click('[data-testid=folder-options] summary');
    await page.check('[data-testid=force-grayscale]');
    // The same colour folder the drop loaded as 16×16×3: the page's grayscale option applies to a menu pick too.
    await page.evaluate((p) => (window as unknown as { pickFolder: (p: string) => void }).pickFolder(p), data);
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/shapes dataset.*13 images.*16×16×1/);
    expect(await page.inputValue('[data-testid=folder-path]')).toBe(data);
    await context.close();
  }, 120_000);
});
