import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import type { EngineEvent } from '../../src-main/protocol.js';
import { startWebServer, type WebServer } from '../../src-main/web/server.js';

let server: WebServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ae-web-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(dir, 'secret.txt'), 'outside');
  // A tiny stand-in engine is enough to test the transport: it echoes commands as log events.
  const worker = path.join(dir, 'echo-worker.mjs');
  await writeFile(
    worker,
    "process.on('message', (m) => process.send({ type: 'log', level: 'info', message: JSON.stringify(m) }));",
  );
  server = await startWebServer({ staticDir: dir, workerPath: worker });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;

function open(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('web server', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  it('refuses requests without the token', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(403);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(403);
  });

  it('serves the app with the token and sets a same-site cookie for its assets', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await fetch(`${base()}/index.html`, { headers: { cookie: cookie.split(';')[0] } });
    expect(again.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('never serves files outside the renderer folder', async () => {
    const res = await fetch(`${base()}/..%2F..%2Fetc%2Fpasswd?token=${server.token}`);
    expect(res.status).toBe(404);
  });

  it('refuses sockets without the token or from another origin', async () => {
    await expect(open(`ws://127.0.0.1:${server.port}/ws`, base())).rejects.toThrow(/403/);
    await expect(open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, 'http://evil.example')).rejects.toThrow(
      /403/,
    );
  });

  it('relays valid commands to the engine and rejects malformed ones', async () => {
    const ws = await open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, base());
    const received: EngineEvent[] = [];
    ws.on('message', (m) => received.push(JSON.parse(String(m))));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'train', jobId: 'j', params: { model: 'deep', epochs: -1 } }));
    ws.send(JSON.stringify({ type: 'exportCsv', requestId: 'r', path: '/etc/cron.d/x' }));
    ws.send(JSON.stringify({ type: 'saveSession', requestId: 's', path: '/tmp/x.aex' }));
    ws.send(JSON.stringify({ type: 'openSession', jobId: 'o', path: '/home/someone/private.aex' }));
    ws.send(JSON.stringify({ type: 'hello' }));
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(6);
    expect(received.filter((e) => e.type === 'error').map((e) => (e as { message: string }).message)).toEqual([
      'bad command: not JSON',
      'bad command: train: params.epochs: Too small: expected number to be >=1',
      'bad command: in web mode the CSV is downloaded by the browser; the server writes no files',
      'bad command: in web mode the session is downloaded by the browser (Save session); the server writes no files for it',
      'bad command: in web mode a session is opened by uploading it (Open session), not by a path on the server',
    ]);
    expect(received.find((e) => e.type === 'log')).toMatchObject({ message: '{"type":"hello"}' });
    ws.close();
  });
});
