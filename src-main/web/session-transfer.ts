/**
 * Sessions in web mode. The browser cannot name files on the server, so the
 * server moves session files over HTTP itself, always through a temporary
 * folder of its own (never a user's folder):
 *
 * - `POST /session/save` (body: the page's view state as JSON): the engine
 *   writes the session into the temporary folder, the server streams it back
 *   as a download, then deletes it.
 * - `POST /session/open?jobId=…&name=…` (body: the .aex bytes, size-limited):
 *   the upload is streamed to a temporary file, the engine opens it as job
 *   `jobId` (its events reach every tab as usual, naming the uploaded file
 *   rather than the temporary one), and the file is deleted when the job ends.
 *
 * The caller has already checked the token; this module checks the origin.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Command, EngineEvent, SessionView } from '../protocol.js';
import { validateCommand } from '../protocol.js';

/** Default largest session upload: a 70,000-image MNIST session with a convolutional model is ~40 MB. */
export const MAX_SESSION_UPLOAD = 512 * 2 ** 20;
/** Largest view state a save request may carry (the protocol's own limit is 100 kB of JSON). */
const MAX_VIEW_BYTES = 200_000;

/** What the transfers need from the server. */
export interface SessionTransferOptions {
  /** Sends a command to the engine process. */
  send(command: Command): void;
  /** A folder only the server uses (created by the caller, removed by dispose). */
  tempDir: string;
  /** Largest accepted upload in bytes. */
  maxUploadBytes?: number;
}

/** A reply the HTTP layer writes: status and a plain-text message. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

/** A file name safe for a Content-Disposition header and for messages: base name, no control characters. */
export function safeSessionName(name: string | null): string {
  const base = [...path.basename((name ?? '').replace(/\\/g, '/'))]
    .filter((ch) => ch !== '"' && ch.charCodeAt(0) >= 32 && ch.charCodeAt(0) !== 127)
    .join('');
  return base.length > 0 && base.length <= 200 ? base : 'session.aex';
}

/** Moves session files between the browser and the engine through the server's temporary folder. */
export class SessionTransfers {
  /** Save requests the server started: answered over HTTP, not broadcast. */
  private readonly saves = new Map<string, { resolve: (e: EngineEvent) => void }>();
  /** Open jobs of uploaded files: temporary path and the name the user knows. */
  private readonly opens = new Map<string, { file: string; name: string }>();
  private readonly maxUpload: number;

  constructor(private readonly options: SessionTransferOptions) {
    this.maxUpload = options.maxUploadBytes ?? MAX_SESSION_UPLOAD;
  }

  /** Handles the session routes; false when `url` is not one of them. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/session/save' && url.pathname !== '/session/open') return false;
    try {
      if (req.method !== 'POST') throw new HttpProblem(405, 'use POST');
      // Same-site cookies already keep other sites out; the origin check makes it explicit.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
        throw new HttpProblem(403, 'Forbidden: request from another origin');
      if (url.pathname === '/session/save') await this.save(req, res, url);
      else await this.open(req, res, url);
    } catch (e) {
      const status = e instanceof HttpProblem ? e.status : 500;
      if (!res.headersSent)
        res
          .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
          .end((e as Error).message);
      else res.destroy();
      // An unread request body (e.g. a refused upload) is dropped once the answer is out, not read to its end.
      if (!req.complete) res.once('finish', () => req.destroy());
    }
    return true;
  }

  /**
   * Looks at an engine event before it is broadcast: answers to the server's
   * own save requests are taken (null), events of uploaded sessions name the
   * uploaded file instead of the temporary one.
   */
  filter(event: EngineEvent): EngineEvent | null {
    if ('requestId' in event && event.requestId && this.saves.has(event.requestId)) {
      const s = this.saves.get(event.requestId)!;
      this.saves.delete(event.requestId);
      s.resolve(event);
      return null;
    }
    const jobId = 'jobId' in event ? event.jobId : undefined;
    const open = jobId ? this.opens.get(jobId) : undefined;
    if (!jobId || !open) return event;
    if (event.type === 'sessionOpened' || event.type === 'error') {
      this.opens.delete(jobId);
      void rm(open.file, { force: true });
    }
    if (event.type === 'sessionOpened') return { ...event, path: open.name };
    if (event.type === 'error') return { ...event, message: event.message.split(open.file).join(open.name) };
    return event;
  }

  /** The engine stopped: pending saves fail now instead of waiting forever. */
  engineStopped(message: string): void {
    for (const [requestId, s] of this.saves) s.resolve({ type: 'error', requestId, message });
    this.saves.clear();
  }

  private async save(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const body = await readSmallBody(req, MAX_VIEW_BYTES);
    let view: SessionView | undefined;
    if (body.length > 0) {
      try {
        view = JSON.parse(body.toString('utf8')) as SessionView;
      } catch {
        throw new HttpProblem(400, 'the view state is not valid JSON');
      }
    }
    const requestId = `web-save-${randomBytes(9).toString('base64url')}`;
    const file = path.join(this.options.tempDir, `${requestId}.aex`);
    const command: Command = { type: 'saveSession', requestId, path: file, ...(view !== undefined ? { view } : {}) };
    const problem = validateCommand(command);
    if (problem) throw new HttpProblem(400, problem);
    const answer = new Promise<EngineEvent>((resolve) => this.saves.set(requestId, { resolve }));
    this.options.send(command);
    const event = await answer;
    try {
      if (event.type === 'error') throw new HttpProblem(409, event.message);
      const size = (await stat(file)).size;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        'content-disposition': `attachment; filename="${safeSessionName(url.searchParams.get('name'))}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      await pipeline(createReadStream(file), res);
    } finally {
      await rm(file, { force: true });
    }
  }

  private async open(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const jobId = url.searchParams.get('jobId') ?? '';
    const name = safeSessionName(url.searchParams.get('name'));
    if (jobId.length === 0 || jobId.length > 200)
      throw new HttpProblem(400, 'open needs a jobId of 1 to 200 characters');
    if (this.opens.has(jobId)) throw new HttpProblem(409, `job ${jobId} is already opening a session`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxUpload)
      throw new HttpProblem(413, `${name} is ${mb(declared)}; the most this server accepts is ${mb(this.maxUpload)}`);
    const file = path.join(this.options.tempDir, `upload-${randomBytes(9).toString('base64url')}.aex`);
    let received = 0;
    const limit = this.maxUpload;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > limit) done(new HttpProblem(413, `${name} is larger than the ${mb(limit)} this server accepts`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, createWriteStream(file, { flags: 'wx' }));
    } catch (e) {
      await rm(file, { force: true });
      throw e instanceof HttpProblem
        ? e
        : new HttpProblem(400, `the upload of ${name} failed: ${(e as Error).message}`);
    }
    if (received === 0) {
      await rm(file, { force: true });
      throw new HttpProblem(400, `${name} is empty`);
    }
    this.opens.set(jobId, { file, name });
    this.options.send({ type: 'openSession', jobId, path: file });
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ jobId, bytes: received }));
  }
}

/** Reads a request body of at most `max` bytes. */
async function readSmallBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) throw new HttpProblem(413, `the view state is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
