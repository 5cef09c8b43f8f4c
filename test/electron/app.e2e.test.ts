/**
 * The real desktop app, driven by Playwright's Electron support: starts the
 * built app, checks its security settings from inside, trains on a small
 * MNIST subset, hovers a point, exports the CSV and the PNG and saves and
 * reopens a session through stubbed native dialogs. Runs wherever the
 * Electron binary is installed (`npm run build` first); elsewhere each test
 * is skipped with the reason printed. Written to pass on its first run on
 * such a machine: no fixed sleeps, every wait is on a condition with a
 * message saying what did not happen, and a failing test leaves a
 * screenshot in test/artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../../src-main/engine/export/csv.js';
import { electronBinary } from '../../src-main/tools/start.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const N = 300;
const bin = electronBinary();
const built =
  existsSync(path.join(ROOT, 'dist', 'main', 'electron-main.cjs')) &&
  existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'));
const SKIP_REASON = !bin
  ? 'skipped: the Electron binary is not installed here (node_modules/electron has no dist/, installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npx electron --version` after a normal `npm install` to enable this test'
  : !built
    ? 'skipped: dist/ is missing; run `npm run build` first'
    : null;
if (SKIP_REASON) console.warn(`[electron e2e] ${SKIP_REASON}`);

let app: ElectronApplication | undefined;
let page: Page | undefined;
let userData = '';
const pageErrors: string[] = [];

/** The window, or a failure saying the app never opened one. */
function win(): Page {
  if (!page) throw new Error('the app opened no window (see the launch error above)');
  return page;
}

/** Waits until `read()` satisfies `ok`, failing with `what` and the last value seen. */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeout = 30_000): Promise<T> {
  let last: T | undefined;
  try {
    await expect.poll(async () => ok((last = await read().catch(() => undefined as T))), { timeout }).toBe(true);
  } catch {
    throw new Error(`${what} within ${timeout / 1000} s (last seen: ${JSON.stringify(last)?.slice(0, 300)})`);
  }
  return last as T;
}

const text = (selector: string) => () => win().locator(selector).first().innerText();
const attr = (selector: string, name: string) => () => win().locator(selector).first().getAttribute(name);

/** Where point i is on the screen. */
async function pointOnPage(i: number): Promise<{ x: number; y: number }> {
  // Strings, not functions: this file compiles without the DOM library.
  const p = (await win().evaluate(`aeMap.pointToScreen(${i})`)) as { x: number; y: number };
  const box = await win().locator('[data-testid=map] canvas').boundingBox();
  if (!box) throw new Error('the map has no canvas on the page');
  return { x: box.x + p.x, y: box.y + p.y };
}

/** Makes the native save and open dialogs answer `file` without showing anything. */
async function stubDialogs(file: string): Promise<void> {
  await app!.evaluate(({ dialog }, filePath) => {
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [filePath] })) as typeof dialog.showOpenDialog;
  }, file);
}

beforeAll(async () => {
  if (SKIP_REASON) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  userData = mkdtempSync(path.join(os.tmpdir(), 'aex-electron-'));
  const env = { ...process.env } as Record<string, string>;
  // Set by some tools; it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  app = await _electron.launch({
    executablePath: bin!,
    // As root (CI containers) Chromium refuses to start its sandbox.
    args: [ROOT, `--user-data-dir=${userData}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    env,
    timeout: 90_000,
  });
  page = await app.firstWindow({ timeout: 60_000 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || !page) return;
  const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: path.join(ARTIFACTS, `electron-${name}.png`) }).catch(() => undefined);
  if (pageErrors.length) console.error(`[electron e2e] page errors so far:\n${pageErrors.join('\n')}`);
});

afterAll(async () => {
  await app?.close().catch(() => undefined);
  if (userData) rmSync(userData, { recursive: true, force: true });
});

describe('the desktop app', () => {
  it('opens its window on app:// with MNIST loaded, an isolated renderer and no Node', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    expect(win().url()).toBe('app://ae-explorer/index.html');
    await until(
      'the backend was never named',
      text('[data-testid=backend]'),
      (t) => /wasm|cpu|tensorflow/.test(t),
      90_000,
    );
    await until(
      'the MNIST summary never showed',
      text('[data-testid=dataset-summary]'),
      (t) => t.includes('MNIST'),
      60_000,
    );
    // The page sees the preload's bridges but none of Node, Electron or IPC.
    const globals = (await win().evaluate(
      '({ require: typeof require, process: typeof process, ipc: typeof ipcRenderer, verbs: Object.keys(aeExplorer).sort(), raw: typeof aeExplorer.send, shell: Object.keys(aeExplorerShell).sort() })',
    )) as { verbs: string[]; shell: string[] };
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined', ipc: 'undefined', raw: 'undefined' });
    expect(globals.verbs).toContain('train');
    expect(globals.shell).toContain('onMenuAction');
    // A new window is refused at once (setWindowOpenHandler answers deny), and the app stays on its page.
    expect(await win().evaluate("window.open('https://example.com/') === null")).toBe(true);
    expect(win().url()).toBe('app://ae-explorer/index.html');
  });

  it('trains on a small MNIST subset and draws one point per image', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    await win().fill('[data-testid=subset]', String(N));
    await win().fill('[data-testid=epochs]', '1');
    await win().click('[data-testid=train]');
    await until(
      `the map never showed ${N} points with the job finished`,
      async () => ({
        points: await attr('[data-testid=map]', 'data-points')(),
        running: await win().locator('[data-testid=progress]').count(),
      }),
      (s) => s.points === String(N) && s.running === 0,
      300_000,
    );
  }, 330_000);

  it('shows the hovered image and its reconstruction, with its label', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    // MNIST training image 0 is a 5.
    const p = await pointOnPage(0);
    await win().mouse.move(p.x, p.y);
    await until('the hover card never showed point 0', text('[data-testid=card-index]'), (t) => t === '0', 15_000);
    expect(await win().locator('[data-testid=card-label]').innerText()).toBe('5');
    await until(
      'the card never showed both images',
      () => win().locator('[data-testid=hover-card] figcaption').allInnerTexts(),
      (c) => c.join() === 'original,reconstruction',
      15_000,
    );
    expect(await win().locator('[data-testid=hover-card] canvas').count()).toBe(2);
  });

  it('exports the CSV through the save dialog, written by the engine', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'projections.csv');
    await stubDialogs(file);
    await win().click('[data-testid=export-csv]');
    await until(`the engine never wrote ${file}`, async () => existsSync(file), Boolean);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows.length - 1).toBe(N);
  });

  it('saves the 2× map PNG the page renders through the save dialog', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'map.png');
    await stubDialogs(file);
    await win().click('[data-testid=export-png]');
    await win().locator('[data-testid=png-dialog]').waitFor({ timeout: 10_000 });
    await win().click('[data-testid=png-size-2x]');
    await win().click('[data-testid=png-save]');
    await until('the page never said the PNG was saved', text('[data-testid=png-result]'), (t) =>
      t.includes(`saved ${file}`),
    );
    const box = await win().locator('[data-testid=map] canvas').boundingBox();
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBe(Math.round(2 * box!.width));
    await win().keyboard.press('Escape');
    await win().locator('[data-testid=png-dialog]').waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('saves a session with the page’s buttons and reopens it with the same map', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'session.aex');
    await stubDialogs(file);
    const before = await pointOnPage(7);
    await win().click('[data-testid=save-session]');
    await until(`the session was never written to ${file}`, async () => existsSync(file), Boolean);
    await win().click('[data-testid=open-session]');
    await until(
      'the page never said the session was opened',
      () => win().locator('.msg:has-text("opened session")').count(),
      (n) => n > 0,
      90_000,
    );
    // The map is drawn again from the session: the same point lands on the same spot.
    await until(
      'point 7 never came back to where it was',
      () => pointOnPage(7),
      (p) => p.x === before.x && p.y === before.y,
    );
    expect(await win().locator('[data-testid=map]').getAttribute('data-points')).toBe(String(N));
  });
});
