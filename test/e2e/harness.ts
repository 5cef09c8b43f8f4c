import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type BrowserContextOptions, chromium, type Page } from 'playwright-core';

import { electronBinary } from '../../src-main/tools/start.js';
import { startWebServer, type WebServer } from '../../src-main/web/server.js';
import { launchElectronBrowser, type TestBrowser } from './electron-browser.js';
import { findBrowser, type FinderEnv, type FoundBrowser } from './find-browser.js';

export type { TestBrowser, TestContext } from './electron-browser.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');

/** This machine, as the browser finder sees it. */
export const THIS_MACHINE: FinderEnv = {
  platform: process.platform,
  env: process.env,
  exists: existsSync,
  electronBinary,
};

/** The browser the tests drive here (see find-browser.ts for the order), or throws the finder's one line. */
export function browserHere(): FoundBrowser {
  const r = findBrowser(THIS_MACHINE);
  if ('problem' in r) throw new Error(r.problem);
  return r.found;
}

/** The flags our machines need: no sandbox as root, no GPU, no background network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // WebGL through SwiftShader, since there is no GPU.
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

/** Launches the browser found here: headless Chromium with the machine's flags, or Electron. */
export async function launchChromium(): Promise<TestBrowser> {
  const found = browserHere();
  if (found.kind === 'electron')
    // Electron has no --headless; as root (containers) its sandbox cannot start.
    return launchElectronBrowser(found, process.getuid?.() === 0 ? ['--no-sandbox'] : []);
  const browser = await chromium.launch({ executablePath: found.executable, args: CHROMIUM_ARGS, headless: true });
  return {
    found,
    newPage: (options?: BrowserContextOptions) => browser.newPage(options),
    newContext: (options?: BrowserContextOptions) => browser.newContext(options),
    download: async (page: Page, trigger: () => Promise<unknown>) => {
      const [d] = await Promise.all([page.waitForEvent('download'), trigger()]);
      return { path: (await d.path())!, name: d.suggestedFilename() };
    },
    close: () => browser.close(),
  };
}

/** Starts the built web server (run `npm run build` first) on a free port. */
export function startBuiltServer(): Promise<WebServer> {
  const dist = path.join(ROOT, 'dist');
  if (
    !existsSync(path.join(dist, 'main', 'engine-worker.js')) ||
    !existsSync(path.join(dist, 'renderer', 'index.html'))
  )
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests (npm test does)');
  return startWebServer({
    staticDir: path.join(dist, 'renderer'),
    workerPath: path.join(dist, 'main', 'engine-worker.js'),
  });
}

/**
 * The built web server, a browser and a 1280×800 page on the app (page errors logged), once the startup dataset has
 * loaded: the setup most end-to-end files share. `pageOptions` add to the page's options (e.g. acceptDownloads);
 * `startupMs` bounds the wait for the startup dataset.
 */
export async function openApp(
  pageOptions: BrowserContextOptions = {},
  startupMs = 30_000,
): Promise<{ server: WebServer; browser: TestBrowser; page: Page }> {
  const server = await startBuiltServer();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...pageOptions });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid=dataset-summary]')?.textContent?.includes('images'),
    null,
    { timeout: startupMs },
  );
  return { server, browser, page };
}
