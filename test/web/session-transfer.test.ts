/**
 * Sessions over HTTP in web mode, against the real server and the real
 * engine (dist/main/engine-worker.js, so `npm run build` first).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { decodeSession, encodeSession } from '../../src-main/engine/export/session.js';
import { decodeF32, type EngineEvent } from '../../src-main/protocol.js';
import { startWebServer, type WebServer } from '../../src-main/web/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = path.join(ROOT, 'dist', 'main', 'engine-worker.js');
const LIMIT = 64 * 1024;

let server: WebServer;
let dir: string;
let ws: WebSocket;
const events: EngineEvent[] = [];

const base = () => `http://127.0.0.1:${server.port}`;
const withToken = (route: string) => `${base()}${route}${route.includes('?') ? '&' : '?'}token=${server.token}`;
/** A POST as the page makes it: with the token and the server's own Origin (browsers send it on every POST). */
const post = (route: string, init: RequestInit = {}) =>
  fetch(withToken(route), {
    method: 'POST',
    ...init,
    headers: { origin: base(), ...(init.headers as Record<string, string> | undefined) },
  });

/** Waits for the first event matching `pred` that arrives after index `from`. */
async function next(pred: (e: EngineEvent) => boolean, from = 0, timeout = 60_000): Promise<EngineEvent> {
  const end = Date.now() + timeout;
  for (;;) {
    const found = events.slice(from).find(pred);
    if (found) return found;
    if (Date.now() > end)
      throw new Error(`no such event within ${timeout} ms; got ${JSON.stringify(events.slice(from))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The server's temporary folder once it has settled (deletion follows the last byte sent). */
async function leftovers(): Promise<string[]> {
  for (let i = 0; i < 40; i++) {
    const files = await readdir(server.tempDir);
    if (files.length === 0) return files;
    await new Promise((r) => setTimeout(r, 50));
  }
  return readdir(server.tempDir);
}

beforeAll(async () => {
  if (!existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` first');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ae-web-sessions-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startWebServer({ staticDir: dir, workerPath: WORKER, maxSessionUpload: LIMIT });
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: base() });
  ws.on('message', (m) => events.push(JSON.parse(String(m)) as EngineEvent));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  // A small map without training: 200 MNIST images, PCA of the pixels.
  ws.send(JSON.stringify({ type: 'loadDataset', jobId: 'load', source: { kind: 'mnist', limit: 200 } }));
  await next((e) => e.type === 'datasetLoaded' || e.type === 'error');
  ws.send(JSON.stringify({ type: 'project', jobId: 'pca', params: { method: 'pca', input: 'pixels' } }));
  await next((e) => (e.type === 'projection' && e.final) || e.type === 'error');
});

afterAll(async () => {
  ws?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('web-mode sessions', () => {
  it('refuses both routes without the token, from another origin, and with GET', async () => {
    expect((await fetch(`${base()}/session/save`, { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await fetch(`${base()}/session/open?jobId=x`, { method: 'POST', body: 'AEXSESS1' })).status).toBe(403);
    const foreign = await post('/session/save', {
      body: '{}',
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/another origin/);
    expect((await fetch(withToken('/session/save'))).status).toBe(405);
    // The socket's rule: a request with no Origin at all is not the page's either.
    const anonymous = await fetch(withToken('/session/save'), { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toBe('Forbidden: the request has no Origin header');
  });

  it.each([
    ['café', 'caf_.aex'],
    ['データ', '___.aex'],
  ])('names the download of a session of "%s" in UTF-8, with the ASCII fallback %s', async (n, fallback) => {
    const res = await post(`/session/save?name=${encodeURIComponent(`${n}.aex`)}`);
    expect(res.status).toBe(200);
    const header = res.headers.get('content-disposition')!;
    const m = /^attachment; filename="([\x20-\x7e]+)"; filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)$/.exec(header);
    expect(m, header).not.toBeNull();
    expect(m![1]).toBe(fallback);
    expect(decodeURIComponent(m![2])).toBe(`${n}.aex`);
    expect(decodeSession(new Uint8Array(await res.arrayBuffer())).dataset.n).toBe(200);
    expect(await leftovers()).toEqual([]);
  });

  it('downloads a session the engine wrote to the server’s own temporary folder, then deletes it', async () => {
    const before = events.length;
    const view = { camera: { cx: 1, cy: 2, scale: 0.5 }, colorBy: 'label' };
    const res = await post('/session/save?name=my%20map.aex', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(view),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="my map.aex"; filename*=UTF-8''my%20map.aex`,
    );
    const s = decodeSession(new Uint8Array(await res.arrayBuffer()));
    expect(s.dataset.n).toBe(200);
    expect(s.view).toEqual(view);
    const shown = events.findLast((e) => e.type === 'projection')! as Extract<EngineEvent, { type: 'projection' }>;
    expect(Array.from(s.projection!.positions)).toEqual(Array.from(decodeF32(shown.positions)));
    expect(await leftovers()).toEqual([]);
    // The engine's answer went to the HTTP response, not to the tabs.
    expect(events.slice(before).filter((e) => e.type === 'sessionSaved')).toEqual([]);
  });

  it('opens an uploaded session: the events name the uploaded file, and the upload is deleted', async () => {
    const saved = await (await post('/session/save', { body: '' })).arrayBuffer();
    const from = events.length;
    const res = await post('/session/open?jobId=open-1&name=mine.aex', { body: saved });
    expect(res.status).toBe(202);
    const opened = await next((e) => e.type === 'sessionOpened' || e.type === 'error', from);
    expect(opened).toMatchObject({ type: 'sessionOpened', jobId: 'open-1', path: 'mine.aex' });
    expect(events.slice(from).map((e) => e.type)).toEqual(
      expect.arrayContaining(['datasetLoaded', 'projection', 'sessionOpened']),
    );
    expect(await leftovers()).toEqual([]);
  });

  it('reports a corrupt upload clearly, naming the file, and sends nothing that changes the map', async () => {
    const from = events.length;
    const res = await post('/session/open?jobId=open-2&name=broken.aex', {
      body: 'this is not a session file at all',
    });
    expect(res.status).toBe(202);
    const e = await next((x) => 'jobId' in x && x.jobId === 'open-2', from);
    expect(e).toEqual({
      type: 'error',
      jobId: 'open-2',
      message: 'broken.aex: not an AE Explorer session file (wrong signature)',
    });
    expect(events.slice(from).some((x) => ['datasetLoaded', 'trained', 'projection'].includes(x.type))).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('reports a truncated session as truncated', async () => {
    const saved = new Uint8Array(await (await post('/session/save')).arrayBuffer());
    const from = events.length;
    await post('/session/open?jobId=open-3&name=cut.aex', {
      body: saved.subarray(0, saved.length - 100),
    });
    const e = await next((x) => 'jobId' in x && x.jobId === 'open-3', from);
    expect(e).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^cut\.aex: the session file is truncated/),
    });
  });

  it('refuses uploads over the size limit, declared or streamed, and keeps nothing', async () => {
    const big = new Uint8Array(LIMIT + 1);
    const declared = await post('/session/open?jobId=big-1&name=huge.aex', { body: big });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toMatch(/^huge\.aex is 0\.06 MB; the most this server accepts is 0\.06 MB/);
    // Without a length up front (chunked), the count while streaming stops it.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(LIMIT / 2));
        c.close();
      },
    });
    const streamed = await post('/session/open?jobId=big-2&name=huge.aex', {
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.text()).toMatch(/huge\.aex is larger than the 0\.06 MB this server accepts/);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses an upload without a job id, and an empty one', async () => {
    const none = await post('/session/open?name=a.aex', { body: 'x' });
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/jobId/);
    const empty = await post('/session/open?jobId=e&name=a.aex', { body: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toBe('a.aex is empty');
  });

  it('runs at most two uploads at once: a third is answered 503 with a clear message until one ends', async () => {
    // Two uploads that have sent their first bytes and then stall, as slow connections do.
    const stalled = [1, 2].map((i) => {
      const req = http.request(withToken(`/session/open?jobId=slow-${i}&name=slow.aex`), {
        method: 'POST',
        headers: { origin: base(), 'content-length': String(LIMIT / 2) },
      });
      req.on('error', () => undefined);
      req.write(new Uint8Array(1024));
      return req;
    });
    await expect
      .poll(async () => (await readdir(server.tempDir)).filter((f) => f.startsWith('upload-')).length)
      .toBe(2);
    const third = await post('/session/open?jobId=third&name=third.aex', { body: 'AEXSESS1' });
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await third.text()).toBe(
      '2 session uploads are already running; open third.aex again when one has finished',
    );
    // One connection drops: its slot comes free (an empty upload now passes the limit and is refused as empty).
    stalled[0].destroy();
    await expect
      .poll(async () => (await post('/session/open?jobId=fourth&name=fourth.aex', { body: '' })).status)
      .toBe(400);
    stalled[1].destroy();
    expect(await leftovers()).toEqual([]);
  });

  it('names the uploaded file, not the temporary one, in the warning about a model it could not rebuild', async () => {
    let from = events.length;
    ws.send(JSON.stringify({ type: 'train', jobId: 'train-1', params: { model: 'simple', epochs: 1, codeSize: 8 } }));
    expect(await next((e) => e.type === 'trained' || e.type === 'error', from, 120_000)).toMatchObject({
      type: 'trained',
    });
    // As a session saved by a version whose simple model had one weight array fewer.
    const older = decodeSession(new Uint8Array(await (await post('/session/save', { body: '' })).arrayBuffer()));
    older.model!.weights.pop();
    from = events.length;
    const res = await post('/session/open?jobId=open-older&name=older.aex', { body: encodeSession(older) });
    expect(res.status).toBe(202);
    expect(await next((e) => e.type === 'sessionOpened' || e.type === 'error', from)).toMatchObject({
      type: 'sessionOpened',
      path: 'older.aex',
    });
    const warning = events.slice(from).find((e) => e.type === 'log' && e.level === 'warn');
    expect(warning).toMatchObject({ jobId: 'open-older' });
    const text = (warning as { message: string }).message;
    expect(text).toMatch(/^older\.aex: reopened the dataset.* without the model: the stored simple model has/);
    expect(text).not.toContain(server.tempDir);
    expect(await leftovers()).toEqual([]);
  });
});
