/**
 * The real desktop app, driven by Playwright's Electron support: starts the
 * built app, checks its security settings from inside, loads a small MNIST
 * subset, trains, hovers a point and exports the CSV through the (stubbed)
 * save dialog. Runs wherever the Electron binary is installed (`npm run
 * build` first); elsewhere each test is skipped with the reason printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCsv } from '../../src-main/engine/export/csv.js';
import { electronBinary } from '../../src-main/tools/start.js';
import { expectCardFor } from '../e2e/card.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
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

let app: ElectronApplication;
let page: Page;
let userData = '';

beforeAll(async () => {
  if (SKIP_REASON) return;
  userData = mkdtempSync(path.join(os.tmpdir(), 'aex-electron-'));
  app = await _electron.launch({
    executablePath: bin!,
    // As root (CI containers) Chromium refuses to start its sandbox.
    args: [ROOT, `--user-data-dir=${userData}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '' } as Record<string, string>,
    timeout: 60_000,
  });
  page = await app.firstWindow();
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 90_000);

afterAll(async () => {
  await app?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

describe('the desktop app', () => {
  it('loads the UI from app:// with an isolated, sandboxed renderer and no Node', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    expect(page.url()).toBe('app://ae-explorer/index.html');
    // The page sees the preload's bridge but none of Node, Electron or IPC.
    const globals = await page.evaluate(
      '({ require: typeof require, process: typeof process, api: typeof aeExplorer, verbs: Object.keys(aeExplorer).sort(), raw: typeof aeExplorer.send, ipc: typeof ipcRenderer })',
    );
    expect(globals).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      api: 'object',
      raw: 'undefined',
      ipc: 'undefined',
    });
    expect((globals as { verbs: string[] }).verbs).toContain('train');
    // Navigation away from the app is refused.
    await page.evaluate('location.href = "https://example.com/"').catch(() => undefined);
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://ae-explorer/index.html');
  });

  it('trains on a small MNIST subset and draws one point per image', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    await expect
      .poll(() => page.locator('[data-testid=backend]').innerText(), { timeout: 60_000 })
      .toMatch(/wasm|cpu|tensorflow/);
    await page.fill('[data-testid=subset]', String(N));
    await page.fill('[data-testid=epochs]', '1');
    await page.click('[data-testid=train]');
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid=map]')?.getAttribute('data-points')) > 0 && !document.querySelector('[data-testid=progress]')`,
      null,
      { timeout: 240_000 },
    );
    expect(await page.locator('[data-testid=map]').getAttribute('data-points')).toBe(String(N));
  }, 300_000);

  it('shows the hovered image with its label', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const p = (await page.evaluate('aeMap.pointToScreen(0)')) as { x: number; y: number };
    const box = (await page.locator('[data-testid=map] canvas').boundingBox())!;
    await page.mouse.move(box.x + p.x, box.y + p.y);
    await expectCardFor(page, 0);
    expect(await page.locator('[data-testid=card-label]').innerText()).toBe('5');
  });

  it('exports the CSV through the save dialog, written by the engine', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'projections.csv');
    await app.evaluate(({ dialog }, filePath) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
    }, file);
    await page.click('[data-testid=export-csv]');
    await expect.poll(() => existsSync(file), { timeout: 20_000 }).toBe(true);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows.length - 1).toBe(N);
  });

  it('saves the 2× map PNG the page renders through the save dialog', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'map.png');
    await app.evaluate(({ dialog }, filePath) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
    }, file);
    await page.click('[data-testid=export-png]');
    await page.click('[data-testid=png-size-2x]');
    await page.click('[data-testid=png-save]');
    await expect.poll(() => existsSync(file), { timeout: 20_000 }).toBe(true);
    const box = (await page.locator('[data-testid=map] canvas').boundingBox())!;
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBe(Math.round(2 * box.width));
    expect(await page.locator('[data-testid=png-result]').innerText()).toContain(`saved ${file}`);
    await page.click('[data-testid=png-dialog] button:has-text("Close")');
  });

  it('saves a session with the page’s buttons and reopens it with the same map', async (ctx) => {
    if (SKIP_REASON) return ctx.skip(SKIP_REASON);
    const file = path.join(userData, 'session.aex');
    await app.evaluate(({ dialog }, filePath) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
      dialog.showOpenDialog = (async () => ({
        canceled: false,
        filePaths: [filePath],
      })) as typeof dialog.showOpenDialog;
    }, file);
    const before = await page.evaluate('aeMap.pointToScreen(7)');
    await page.click('[data-testid=save-session]');
    await expect.poll(() => existsSync(file), { timeout: 20_000 }).toBe(true);
    await page.click('[data-testid=open-session]');
    await page.waitForSelector('.msg:has-text("opened session")', { timeout: 60_000 });
    await page.waitForTimeout(600);
    expect(await page.evaluate('aeMap.pointToScreen(7)')).toEqual(before);
  });
});
