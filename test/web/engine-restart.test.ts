/**
 * When the engine process dies, the web server starts a fresh one and tells
 * every page that the loaded data and model were lost; commands never crash
 * the server on a closed channel. The first test runs the real built engine
 * (dist/main/engine-worker.js, so `npm run build` first).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWebServer, type WebServer } from '../../src-main/web/server.js';
import { openPage, writeFakeEngine } from './fake-engine.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = path.join(ROOT, 'dist', 'main', 'engine-worker.js');
const LOST = 'the loaded data and model were lost';

let dir: string;
let fake: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ae-web-restart-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  fake = await writeFakeEngine(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Kills the server's engine outright and waits until the server has seen it go. */
async function killEngine(server: WebServer): Promise<number> {
  const pid = server.enginePid()!;
  process.kill(pid, 'SIGKILL');
  await expect.poll(() => server.enginePid() !== pid, { interval: 5 }).toBe(true);
  return pid;
}

describe('engine restarts', () => {
  it('the real engine: after a SIGKILL the page is told, and hello works on the new engine', async () => {
    if (!existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` first');
    const server = await startWebServer({ staticDir: dir, workerPath: WORKER, tempRoot: dir });
    try {
      const page = await openPage(server.port, server.token);
      page.ws.send(JSON.stringify({ type: 'hello' }));
      await page.next((e) => e.type === 'ready', 0, 60_000);
      page.ws.send(JSON.stringify({ type: 'loadDataset', jobId: 'load', source: { kind: 'mnist', limit: 100 } }));
      await page.next((e) => e.type === 'datasetLoaded', 0, 60_000);
      const old = server.enginePid()!;
      process.kill(old, 'SIGKILL');
      // A command on the heels of the kill: refused or lost, never a crash of the server.
      page.ws.send(JSON.stringify({ type: 'getItem', requestId: 'item', index: 0 }));
      const restarted = await page.next((e) => e.type === 'engineRestarted', 0, 30_000);
      expect(restarted).toEqual({
        type: 'engineRestarted',
        message: `the engine stopped (SIGKILL) and was restarted; ${LOST}`,
      });
      expect(server.enginePid()).not.toBe(old);
      const from = page.events.length;
      page.ws.send(JSON.stringify({ type: 'hello' }));
      await page.next((e) => e.type === 'ready', from, 60_000);
      // The new engine has no data: the page must load again, as the event said.
      page.ws.send(JSON.stringify({ type: 'getItem', requestId: 'again', index: 0 }));
      expect(await page.next((e) => e.requestId === 'again', from, 30_000)).toMatchObject({ type: 'error' });
      page.close();
    } finally {
      await server.close();
    }
  });

  it('answers a command sent while the engine restarts with why, then relays to the new engine', async () => {
    const server = await startWebServer({ staticDir: dir, workerPath: fake, tempRoot: dir });
    try {
      const page = await openPage(server.port, server.token);
      await killEngine(server);
      page.ws.send(JSON.stringify({ type: 'cancel', jobId: 'train-1' }));
      expect(await page.next((e) => e.type === 'error')).toEqual({
        type: 'error',
        jobId: 'train-1',
        message: `the engine stopped (SIGKILL) and is restarting; ${LOST}`,
      });
      await page.next((e) => e.type === 'engineRestarted');
      const from = page.events.length;
      page.ws.send(JSON.stringify({ type: 'hello' }));
      await page.next((e) => e.type === 'log', from);
      expect(page.received(from)).toEqual([{ type: 'hello' }]);
      page.close();
    } finally {
      await server.close();
    }
  });

  it('gives up after too many restarts within the window, and says so to every command', async () => {
    const server = await startWebServer({ staticDir: dir, workerPath: fake, tempRoot: dir, maxEngineRestarts: 1 });
    try {
      const page = await openPage(server.port, server.token);
      await killEngine(server);
      await page.next((e) => e.type === 'engineRestarted');
      await killEngine(server);
      const gaveUp =
        'the engine stopped (SIGKILL) 2 times within 60 s and is not restarted again: restart the server (npm run web)';
      expect(await page.next((e) => e.type === 'error')).toEqual({ type: 'error', message: gaveUp });
      const from = page.events.length;
      page.ws.send(JSON.stringify({ type: 'hello' }));
      expect(await page.next((e) => e.type === 'error', from)).toEqual({ type: 'error', message: gaveUp });
      expect((await fetch(server.url)).status).toBe(200);
      page.close();
    } finally {
      await server.close();
    }
  });

  it('fails a session upload the dead engine was opening, naming it, and deletes the upload', async () => {
    const server = await startWebServer({ staticDir: dir, workerPath: fake, tempRoot: dir });
    try {
      const page = await openPage(server.port, server.token);
      const base = `http://127.0.0.1:${server.port}`;
      const res = await fetch(`${base}/session/open?jobId=open-1&name=mine.aex&token=${server.token}`, {
        method: 'POST',
        headers: { origin: base },
        body: 'AEXSESS1 and the rest',
      });
      expect(res.status).toBe(202);
      await page.next((e) => e.type === 'log');
      await killEngine(server);
      expect(await page.next((e) => e.jobId === 'open-1')).toEqual({
        type: 'error',
        jobId: 'open-1',
        message: `mine.aex was not opened: the engine stopped (SIGKILL); ${LOST}`,
      });
      await expect.poll(() => readdirSync(server.tempDir)).toEqual([]);
      page.close();
    } finally {
      await server.close();
    }
  });
});
