import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { type WebSocket, WebSocketServer } from 'ws';

import { MIME_TYPES } from '../mime.js';
import { type Command, type EngineEvent, parseCommand } from '../protocol.js';
import { SessionTransfers } from './session-transfer.js';

/** Options of the web-mode server. */
export interface WebServerOptions {
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** The engine worker script to fork. */
  workerPath: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Session token; random when omitted. */
  token?: string;
  /** Extra environment for the engine process. */
  engineEnv?: NodeJS.ProcessEnv;
  /** Largest session file the browser may upload, in bytes (default 512 MB). */
  maxSessionUpload?: number;
}

/** A running web-mode server. */
export interface WebServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  /** The server's own temporary folder, through which session files pass (removed on close). */
  tempDir: string;
  close(): Promise<void>;
}

const COOKIE = 'ae_token';

/**
 * What a browser may not ask of the engine even with a valid token: it never
 * names a file for the engine to write (exports are downloaded by the browser),
 * nor a session file to open (sessions are uploaded).
 * Returns the reason, or null when the command may pass.
 */
export function refusedInWebMode(cmd: Command): string | null {
  if (cmd.type === 'exportCsv' && cmd.path !== undefined)
    return 'in web mode the CSV is downloaded by the browser; the server writes no files';
  if (cmd.type === 'saveSession')
    return 'in web mode the session is downloaded by the browser (Save session); the server writes no files for it';
  // A page must not open arbitrary .aex files on the server's disk: it uploads one instead.
  if (cmd.type === 'openSession')
    return 'in web mode a session is opened by uploading it (Open session), not by a path on the server';
  return null;
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  const m = /(?:^|;\s*)ae_token=([^;]+)/.exec(req.headers.cookie ?? '');
  return m?.[1];
}

/**
 * Serves the renderer and relays protocol messages between browser tabs and
 * one forked engine process. Listens on 127.0.0.1 only; every request and
 * socket must present the session token (in the URL the first time, then in a
 * same-site cookie), and sockets must come from the server's own origin.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = await realpath(opts.staticDir);
  const engine: ChildProcess = fork(opts.workerPath, [], {
    env: { ...process.env, ...opts.engineEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Session files pass through a folder of the server's own, removed on close.
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'ae-explorer-web-'));
  const sessions = new SessionTransfers({
    send: (c) => engine.send(c),
    tempDir,
    maxUploadBytes: opts.maxSessionUpload,
  });
  const sockets = new Set<WebSocket>();
  const broadcast = (event: EngineEvent) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  engine.on('message', (m) => {
    const event = sessions.filter(m as EngineEvent);
    if (event) broadcast(event);
  });
  engine.on('exit', (code, signal) => {
    const message = `the engine stopped (${signal ?? `exit code ${code}`}); restart the server`;
    sessions.engineStopped(message);
    if (!closing) broadcast({ type: 'error', message });
  });
  let closing = false;

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ok = sameToken(url.searchParams.get('token') ?? undefined, token) || sameToken(cookieToken(req), token);
      if (!ok) {
        res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end('Forbidden: open the URL with the token that the server printed.');
        return;
      }
      if (await sessions.handle(req, res, url)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const file = path.resolve(staticRoot, rel);
      if (!file.startsWith(staticRoot + path.sep)) {
        res.writeHead(404).end();
        return;
      }
      const body = await readFile(file).catch(() => null);
      if (!body) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy':
          "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const host = req.headers.host ?? '';
    const originOk = req.headers.origin === `http://${host}`;
    const tokenOk = sameToken(url.searchParams.get('token') ?? undefined, token) || sameToken(cookieToken(req), token);
    if (url.pathname !== '/ws' || !originOk || !tokenOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          ws.send(JSON.stringify({ type: 'error', message: 'bad command: not JSON' } satisfies EngineEvent));
          return;
        }
        // Only the parsed command goes on: the schema dropped every field it does not declare.
        const parsed = parseCommand(msg);
        const problem = parsed.ok ? refusedInWebMode(parsed.command) : parsed.message;
        if (!parsed.ok || problem)
          ws.send(JSON.stringify({ type: 'error', message: `bad command: ${problem}` } satisfies EngineEvent));
        else engine.send(parsed.command);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    tempDir,
    close: async () => {
      closing = true;
      for (const ws of sockets) ws.terminate();
      wss.close();
      engine.kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
