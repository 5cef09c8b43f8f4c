import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { type WebSocket, WebSocketServer } from 'ws';

import { MIME_TYPES } from '../mime.js';
import { commandIds, type EngineEvent } from '../protocol.js';
import { commandFromMessage, WIRE_LIMIT_BYTES } from './commands.js';
import { hasToken, hostProblem, originProblem, TOKEN_COOKIE } from './guard.js';
import { SessionTransfers } from './session-transfer.js';
import { EngineSupervisor } from './supervisor.js';
import { createTempDir } from './temp-dir.js';

export { refusedInWebMode } from './commands.js';

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
  /** Most session uploads at once (default 2). */
  maxConcurrentUploads?: number;
  /** Where the server's temporary folder goes (default: the OS's temporary directory). */
  tempRoot?: string;
  /** Most engine restarts within `engineRestartWindowMs` before the server gives up (default 5). */
  maxEngineRestarts?: number;
  /** Window over which engine restarts are counted, in ms (default 60,000). */
  engineRestartWindowMs?: number;
}

/** A running web-mode server. */
export interface WebServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  /** The server's own temporary folder, through which session files pass (removed on close). */
  tempDir: string;
  /** Process id of the engine now running (undefined while it restarts). */
  enginePid(): number | undefined;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*";

/** A request the server answers with a status and a short plain-text message of its own. */
function reply(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
}

/**
 * Serves the renderer and relays protocol messages between browser tabs and
 * one engine process (restarted if it dies). Listens on 127.0.0.1 only, and
 * answers only under the Host names 127.0.0.1:PORT and localhost:PORT; every
 * request and socket must present the session token (in the URL the first
 * time, then in a same-site cookie), and the socket and the /session routes
 * must come from the server's own origin.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = await realpath(opts.staticDir);
  // Session files pass through a folder of the server's own, removed on close (and stale ones at start).
  const temp = await createTempDir(opts.tempRoot);
  const sockets = new Set<WebSocket>();
  const broadcast = (event: EngineEvent) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const sendTo = (ws: WebSocket, event: EngineEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };
  let closing = false;
  const engine = new EngineSupervisor({
    workerPath: opts.workerPath,
    env: { ...process.env, ...opts.engineEnv },
    maxRestarts: opts.maxEngineRestarts,
    windowMs: opts.engineRestartWindowMs,
    onEvent: (m) => {
      const event = sessions.filter(m);
      if (event) broadcast(event);
    },
    onStopped: (message) => {
      for (const e of sessions.engineStopped(message)) if (!closing) broadcast(e);
    },
    onRestarted: (message) => broadcast({ type: 'engineRestarted', message }),
    onGaveUp: (message) => broadcast({ type: 'error', message }),
  });
  const sessions = new SessionTransfers({
    send: (c) => engine.send(c),
    tempDir: temp.path,
    maxUploadBytes: opts.maxSessionUpload,
    maxConcurrentUploads: opts.maxConcurrentUploads,
  });

  let port = 0;
  const server = http.createServer(async (req, res) => {
    try {
      // Before anything else: a page of another site that rebound its DNS name to 127.0.0.1 gets nothing.
      const misdirected = hostProblem(req, port);
      if (misdirected) return reply(res, 421, misdirected);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!hasToken(req, url, token))
        return reply(res, 403, 'Forbidden: open the URL with the token that the server printed.');
      if (await sessions.handle(req, res, url)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Method not allowed');
      let rel: string;
      try {
        rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
      } catch {
        return reply(res, 400, 'Bad request: the path is not valid percent-encoding');
      }
      const file = path.resolve(staticRoot, rel);
      if (!file.startsWith(staticRoot + path.sep)) return reply(res, 404, 'Not found');
      const body = await readFile(file).catch(() => null);
      if (!body) return reply(res, 404, 'Not found');
      res.writeHead(200, {
        'content-type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      // The detail may name server paths: it goes to the log, the page gets a generic answer.
      process.stderr.write(`ae-explorer web: ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}\n`);
      if (!res.headersSent) reply(res, 500, 'Internal server error (the server log has the details)');
      else res.destroy();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WIRE_LIMIT_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    socket.on('error', () => socket.destroy());
    if (hostProblem(req, port)) return refuse('421 Misdirected Request');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return refuse('400 Bad Request');
    }
    if (url.pathname !== '/ws' || originProblem(req) || !hasToken(req, url, token)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A message over the wire limit, a bad frame: ws closes this socket and reports here; the server lives on.
      ws.on('error', (e) => process.stderr.write(`ae-explorer web: a page's socket: ${e.message}\n`));
      ws.on('message', (data) => {
        const checked = commandFromMessage(data);
        // The page's job or request fails with the refusal instead of waiting for an answer.
        if (!checked.ok) return sendTo(ws, { type: 'error', ...checked.ids, message: checked.message });
        const ids = commandIds(checked.command);
        const reportTo = (message: string) => sendTo(ws, { type: 'error', ...ids, message });
        const unsent = engine.send(checked.command, reportTo);
        if (unsent) reportTo(unsent);
      });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', resolve);
    });
  } catch (e) {
    // e.g. the port is taken: leave no engine process or folder behind.
    closing = true;
    engine.close();
    await temp.dispose();
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    tempDir: temp.path,
    enginePid: () => engine.pid,
    close: async () => {
      closing = true;
      for (const ws of sockets) ws.terminate();
      wss.close();
      engine.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temp.dispose();
    },
  };
}
