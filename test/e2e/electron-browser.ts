/**
 * Electron as the browser of the web-mode end-to-end tests, for machines
 * where `npm ci` downloaded Electron and no Chromium is installed. Playwright
 * drives it through `_electron`; each page is a BrowserWindow of
 * electron-browser-main.mjs, each context an in-memory partition, and
 * downloads are saved by that app and polled here (Playwright's download
 * events do not exist for Electron).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { _electron, type BrowserContextOptions, type ElectronApplication, type Page } from 'playwright-core';

import type { FoundBrowser } from './find-browser.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'electron-browser-main.mjs');

/** A set of pages sharing storage (a Playwright BrowserContext fits). */
export interface TestContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** The browser the e2e tests drive, whichever was found. */
export interface TestBrowser {
  readonly found: FoundBrowser;
  newPage(options?: BrowserContextOptions): Promise<Page>;
  newContext(options?: BrowserContextOptions): Promise<TestContext>;
  /** Runs `trigger` (a click) and resolves with the file it downloaded: where it is, and the name the page gave it. */
  download(page: Page, trigger: () => Promise<unknown>): Promise<{ path: string; name: string }>;
  close(): Promise<void>;
}

/** Most time a download may take after its click. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

type Downloads = { file: string; name: string; state: string }[];

/** Starts Electron as a browser; `args` are Chromium switches. */
export async function launchElectronBrowser(found: FoundBrowser, args: string[]): Promise<TestBrowser> {
  const env = { ...process.env } as Record<string, string>;
  delete env.ELECTRON_RUN_AS_NODE;
  const app: ElectronApplication = await _electron.launch({
    executablePath: found.executable,
    args: [MAIN, ...args],
    env,
    timeout: 60_000,
  });
  let partitions = 0;
  const open = async (options: BrowserContextOptions, partition: string): Promise<Page> => {
    if (options.colorScheme)
      await app.evaluate(
        ({ nativeTheme }, scheme) => {
          nativeTheme.themeSource = scheme;
        },
        (options.colorScheme === 'no-preference' ? 'system' : options.colorScheme) as 'light' | 'dark' | 'system',
      );
    const size = options.viewport ?? { width: 1280, height: 720 };
    const [page] = await Promise.all([
      app.waitForEvent('window', { timeout: 30_000 }),
      app.evaluate(
        ({ BrowserWindow }, o) => {
          // Shown: a hidden page gets no animation frames, and the map draws in them.
          const win = new BrowserWindow({
            width: o.width,
            height: o.height,
            useContentSize: true,
            show: true,
            webPreferences: { partition: o.partition, backgroundThrottling: false, sandbox: true },
          });
          void win.loadURL('about:blank');
        },
        { ...size, partition },
      ),
    ]);
    return page;
  };
  return {
    found,
    newPage: (options = {}) => open(options, `e2e-${++partitions}`),
    async newContext(options = {}) {
      const partition = `e2e-${++partitions}`;
      const pages: Page[] = [];
      return {
        newPage: async () => {
          const p = await open(options, partition);
          pages.push(p);
          return p;
        },
        close: async () => {
          for (const p of pages) await p.close();
        },
      };
    },
    async download(page, trigger) {
      const count = () =>
        app.evaluate(() => (globalThis as unknown as { aexDownloads: Downloads }).aexDownloads.length);
      const nth = (i: number) =>
        app.evaluate((_e, k) => (globalThis as unknown as { aexDownloads: Downloads }).aexDownloads[k] ?? null, i);
      const before = await count();
      await trigger();
      const deadline = Date.now() + DOWNLOAD_TIMEOUT_MS;
      for (;;) {
        const d = await nth(before);
        if (d?.state === 'completed') return { path: d.file, name: d.name };
        if (d && d.state !== 'progressing') throw new Error(`the download of ${d.file} ended as ${d.state}`);
        if (Date.now() > deadline)
          throw new Error(`no download finished within ${DOWNLOAD_TIMEOUT_MS / 1000} s of the click`);
        await page.waitForTimeout(100);
      }
    },
    close: () => app.close(),
  };
}
