import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { encodeI32 } from '../../src-main/protocol.js';
import { MAX_MESSAGE_BYTES, WIRE_LIMIT_BYTES } from '../../src-main/web/commands.js';
import { startWebServer, type WebServer } from '../../src-main/web/server.js';
import { openPage, writeFakeEngine } from './fake-engine.js';

let server: WebServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ae-web-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(dir, 'secret.txt'), 'outside');
  server = await startWebServer({ staticDir: dir, workerPath: await writeFakeEngine(dir), tempRoot: dir });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;

function open(url: string, headers: { origin?: string; host?: string } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: headers.origin, headers: headers.host ? { host: headers.host } : {} });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** A raw GET with any Host header (fetch will not send a foreign one). */
function get(pathAndQuery: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
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

  it('answers only under its own host names, token or not (DNS rebinding)', async () => {
    const evil = await get(`/?token=${server.token}`, `evil.example:${server.port}`);
    expect(evil.status).toBe(421);
    expect(evil.body).toBe(
      `Misdirected request: this server answers only to http://127.0.0.1:${server.port} and http://localhost:${server.port}`,
    );
    expect((await get(`/?token=${server.token}`, `127.0.0.1:${server.port + 1}`)).status).toBe(421);
    expect((await get(`/?token=${server.token}`, `localhost:${server.port}`)).status).toBe(200);
    // The socket too: Host and Origin both the rebound name is exactly what a rebinding page sends.
    const foreign = `evil.example:${server.port}`;
    await expect(
      open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { host: foreign, origin: `http://${foreign}` }),
    ).rejects.toThrow(/421/);
    const local = `localhost:${server.port}`;
    const ws = await open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      host: local,
      origin: `http://${local}`,
    });
    ws.close();
  });

  it('answers bad percent-encoding with 400 and no exception text', async () => {
    const res = await fetch(`${base()}/%E0%A4%A?token=${server.token}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Bad request: the path is not valid percent-encoding');
  });

  it('answers an unexpected failure with a generic 500 that names no server path', async () => {
    // The stand-in engine claims to have saved a session it never wrote: reading it fails.
    const res = await fetch(`${base()}/session/save?token=${server.token}`, {
      method: 'POST',
      headers: { origin: base() },
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toBe('Internal server error (the server log has the details)');
    expect(text).not.toContain(server.tempDir);
  });

  it('refuses sockets without the token, without an Origin, or from another origin', async () => {
    await expect(open(`ws://127.0.0.1:${server.port}/ws`, { origin: base() })).rejects.toThrow(/403/);
    await expect(open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)).rejects.toThrow(/403/);
    await expect(
      open(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: 'http://evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it('relays valid commands to the engine and rejects malformed ones', async () => {
    const page = await openPage(server.port, server.token);
    page.ws.send('not json');
    page.ws.send(JSON.stringify({ type: 'train', jobId: 'j', params: { model: 'deep', epochs: -1 } }));
    page.ws.send(JSON.stringify({ type: 'exportCsv', requestId: 'r', path: '/etc/cron.d/x' }));
    page.ws.send(JSON.stringify({ type: 'saveSession', requestId: 's', path: '/tmp/x.aex' }));
    page.ws.send(JSON.stringify({ type: 'openSession', jobId: 'o', path: '/home/someone/private.aex' }));
    page.ws.send(JSON.stringify({ type: 'hello' }));
    await expect.poll(() => page.events.length, { timeout: 5000 }).toBe(6);
    const errors = page.events.filter((e) => e.type === 'error').map((e) => e.message as string);
    expect(errors[0]).toBe('bad command: not JSON');
    expect(errors[1]).toMatch(/^bad command: .*epochs/);
    expect(errors.slice(2)).toEqual([
      'bad command: in web mode the CSV is downloaded by the browser; the server writes no files',
      'bad command: in web mode the session is downloaded by the browser (Save session); the server writes no files for it',
      'bad command: in web mode a session is opened by uploading it (Open session), not by a path on the server',
    ]);
    // Each refusal answers the job or request it refuses, so the page ends that job instead of waiting.
    const ids = page.events
      .filter((e) => e.type === 'error')
      .map((e) => ({ jobId: e.jobId as string | undefined, requestId: e.requestId as string | undefined }));
    expect(ids).toEqual([
      { jobId: undefined, requestId: undefined },
      { jobId: 'j', requestId: undefined },
      { jobId: undefined, requestId: 'r' },
      { jobId: undefined, requestId: 's' },
      { jobId: 'o', requestId: undefined },
    ]);
    expect(page.received()).toEqual([{ type: 'hello' }]);
    page.close();
  });
});

describe('web server, messages of every size', () => {
  it('refuses the 1.1 MB message of the issue with an error event and keeps the socket', async () => {
    const page = await openPage(server.port, server.token);
    page.ws.send('x'.repeat(1_100_000));
    await page.next((e) => e.type === 'error');
    expect(page.events).toEqual([{ type: 'error', message: 'bad command: not JSON' }]);
    page.ws.send(JSON.stringify({ type: 'hello' }));
    await page.next((e) => e.type === 'log');
    expect(page.received()).toEqual([{ type: 'hello' }]);
    page.close();
  });

  it('refuses a command just over the limit with an error event naming the limit, and keeps the socket', async () => {
    const page = await openPage(server.port, server.token);
    const head = '{"type":"hello","pad":"';
    page.ws.send(head + 'x'.repeat(MAX_MESSAGE_BYTES + 1 - head.length - 2) + '"}');
    await page.next((e) => e.type === 'error', 0, 30_000);
    expect(page.events).toEqual([
      { type: 'error', message: 'bad command: the message is 16.0 MB; a command may be at most 16.0 MB' },
    ]);
    expect(page.ws.readyState).toBe(WebSocket.OPEN);
    page.ws.send(JSON.stringify({ type: 'hello' }));
    await page.next((e) => e.type === 'log');
    page.close();
  });

  it('closes a socket that sends more than the wire limit with 1009, and the server lives on', async () => {
    const page = await openPage(server.port, server.token);
    const closed = new Promise<number>((resolve) => page.ws.once('close', (code) => resolve(code)));
    page.ws.on('error', () => undefined);
    page.ws.send(Buffer.alloc(WIRE_LIMIT_BYTES + 1, 0x20));
    expect(await closed).toBe(1009);
    const again = await openPage(server.port, server.token);
    again.ws.send(JSON.stringify({ type: 'hello' }));
    await again.next((e) => e.type === 'log');
    again.close();
  });

  it('carries the largest command the product needs: a CSV export of a selection of a million rows', async () => {
    const page = await openPage(server.port, server.token);
    const rows = encodeI32(Int32Array.from({ length: 1_000_000 }, (_, i) => i));
    const message = JSON.stringify({ type: 'exportCsv', requestId: 'csv', rows, columns: ['error', 'code'] });
    expect(message.length).toBeGreaterThan(5_000_000);
    page.ws.send(message);
    await page.next((e) => e.type === 'log', 0, 30_000);
    expect(page.received()).toEqual([{ type: 'exportCsv', requestId: 'csv', rows, columns: ['error', 'code'] }]);
    page.close();
  });
});

describe('web server, what reaches the engine', () => {
  it('refuses a 300,000-deep array in an unknown field before parsing it; nothing reaches the engine', async () => {
    const page = await openPage(server.port, server.token);
    const deep = '['.repeat(300_000) + ']'.repeat(300_000);
    const t0 = performance.now();
    page.ws.send(`{"type":"hello","x":${deep}}`);
    expect(await page.next((x) => x.type === 'error')).toEqual({
      type: 'error',
      message: 'bad command: nested deeper than 32 levels of arrays and objects',
    });
    // JSON.parse alone would take about a second on this input; the scan refuses it in milliseconds.
    expect(performance.now() - t0).toBeLessThan(1000);
    page.ws.send(JSON.stringify({ type: 'hello' }));
    await page.next((x) => x.type === 'log');
    expect(page.received()).toEqual([{ type: 'hello' }]);
    page.close();
  });

  it('forwards only the stripped command: unknown fields, nested or not, never reach the engine', async () => {
    const page = await openPage(server.port, server.token);
    const nested = '['.repeat(20) + ']'.repeat(20);
    page.ws.send(`{"type":"hello","x":${nested}}`);
    page.ws.send(`{"type":"getItem","requestId":"i","index":3,"extra":{"y":${nested}},"__proto__":{"polluted":1}}`);
    page.ws.send(
      JSON.stringify({ type: 'train', jobId: 't', params: { model: 'deep', epochs: 1, shell: 'rm -rf /' }, x: 1 }),
    );
    await expect.poll(() => page.events.length).toBe(3);
    expect(page.received()).toEqual([
      { type: 'hello' },
      { type: 'getItem', requestId: 'i', index: 3 },
      { type: 'train', jobId: 't', params: { model: 'deep', epochs: 1 } },
    ]);
    page.close();
  });

  it('refuses nesting in a declared field with a message naming the field', async () => {
    const page = await openPage(server.port, server.token);
    page.ws.send(`{"type":"getThumbnails","requestId":"t","indices":${'['.repeat(20) + ']'.repeat(20)}}`);
    const e = await page.next((x) => x.type === 'error');
    expect(e.message).toMatch(/^bad command: getThumbnails: indices/);
    page.close();
  });
});
