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
 * The caller has already checked the Host header and the token; this module
 * checks the origin (the same rule as the socket's, from guard.ts) and bounds
 * how many uploads run at once.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Command, EngineEvent, SessionView } from '../protocol.js';
import { parseCommand } from '../protocol.js';
import { MAX_NESTING, nestsDeeperThan } from './commands.js';
import { originProblem } from './guard.js';

/** Default largest session upload: a 70,000-image MNIST session with a convolutional model is ~40 MB. */
export const MAX_SESSION_UPLOAD = 512 * 2 ** 20;
/** Largest view state a save request may carry (the protocol's own limit is 100 kB of JSON). */
const MAX_VIEW_BYTES = 200_000;
/** Default most session uploads at once (streaming to disk or being opened by the engine). */
export const MAX_CONCURRENT_UPLOADS = 2;

/** What the transfers need from the server. */
export interface SessionTransferOptions {
  /**
   * Sends a command to the engine process; returns why it cannot, or null.
   * (A send that fails later means the engine died: engineStopped follows.)
   */
  send(command: Command): string | null;
  /** A folder only the server uses (created by the caller, removed by dispose). */
  tempDir: string;
  /** Largest accepted upload in bytes. */
  maxUploadBytes?: number;
  /** Most uploads at once; more are answered 503 (default MAX_CONCURRENT_UPLOADS). */
  maxConcurrentUploads?: number;
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

/** Characters RFC 5987 lets through unencoded in `filename*` (attr-char); everything else is %XX of its UTF-8. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+.^_`|~-]/;

/**
 * A Content-Disposition header for a download of `name` (already made safe by
 * safeSessionName): an ASCII `filename=` for old clients, non-ASCII characters
 * replaced by "_", and RFC 6266's `filename*=UTF-8''…` with the real name,
 * which every current browser prefers. Header values must be ASCII (Node
 * refuses "café" with "Invalid character in header content").
 */
export function contentDisposition(name: string): string {
  const ascii = [...name].map((ch) => (/[\x20-\x7e]/.test(ch) && !'%"\\'.includes(ch) ? ch : '_')).join('');
  const encoded = [...Buffer.from(name, 'utf8')]
    .map((b) => {
      const ch = String.fromCharCode(b);
      return b < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
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
  private readonly maxConcurrent: number;
  /** Uploads whose body is still being received. */
  private streaming = 0;

  constructor(private readonly options: SessionTransferOptions) {
    this.maxUpload = options.maxUploadBytes ?? MAX_SESSION_UPLOAD;
    this.maxConcurrent = options.maxConcurrentUploads ?? MAX_CONCURRENT_UPLOADS;
  }

  /** Handles the session routes; false when `url` is not one of them. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/session/save' && url.pathname !== '/session/open') return false;
    try {
      if (req.method !== 'POST') throw new HttpProblem(405, 'use POST');
      // Same-site cookies already keep other sites out; the origin check makes it explicit.
      const refused = originProblem(req);
      if (refused) throw new HttpProblem(403, refused);
      if (url.pathname === '/session/save') await this.save(req, res, url);
      else await this.open(req, res, url);
    } catch (e) {
      const known = e instanceof HttpProblem;
      // Anything unexpected is logged here, not shown to the page: its text may name server paths.
      if (!known) process.stderr.write(`ae-explorer web: ${url.pathname}: ${(e as Error).stack ?? String(e)}\n`);
      const status = known ? e.status : 500;
      const message = known ? e.message : 'Internal server error (the server log has the details)';
      const retry = status === 503 ? { 'retry-after': '5' } : {};
      if (!res.headersSent)
        res
          .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...retry })
          .end(message);
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
    if (event.type === 'error' || event.type === 'log')
      return { ...event, message: event.message.split(open.file).join(open.name) };
    return event;
  }

  /**
   * The engine stopped: pending saves fail now instead of waiting forever, and
   * uploaded sessions it was opening are deleted. Returns the error events for
   * those open jobs, for the server to send to the pages.
   */
  engineStopped(message: string): EngineEvent[] {
    for (const [requestId, s] of this.saves) s.resolve({ type: 'error', requestId, message });
    this.saves.clear();
    const failed: EngineEvent[] = [];
    for (const [jobId, open] of this.opens) {
      void rm(open.file, { force: true });
      failed.push({ type: 'error', jobId, message: `${open.name} was not opened: ${message}` });
    }
    this.opens.clear();
    return failed;
  }

  private async save(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const body = await readSmallBody(req, MAX_VIEW_BYTES);
    let view: SessionView | undefined;
    if (body.length > 0) {
      if (nestsDeeperThan(body, MAX_NESTING))
        throw new HttpProblem(400, `the view state is nested deeper than ${MAX_NESTING} levels`);
      try {
        view = JSON.parse(body.toString('utf8')) as SessionView;
      } catch {
        throw new HttpProblem(400, 'the view state is not valid JSON');
      }
    }
    const requestId = `web-save-${randomBytes(9).toString('base64url')}`;
    const file = path.join(this.options.tempDir, `${requestId}.aex`);
    const parsed = parseCommand({
      type: 'saveSession',
      requestId,
      path: file,
      ...(view !== undefined ? { view } : {}),
    });
    if (!parsed.ok) throw new HttpProblem(400, parsed.message);
    const command = parsed.command;
    const answer = new Promise<EngineEvent>((resolve) => this.saves.set(requestId, { resolve }));
    const unsent = this.options.send(command);
    if (unsent) {
      this.saves.delete(requestId);
      throw new HttpProblem(503, unsent);
    }
    const event = await answer;
    try {
      if (event.type === 'error') throw new HttpProblem(409, event.message);
      const size = (await stat(file)).size;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        'content-disposition': contentDisposition(safeSessionName(url.searchParams.get('name'))),
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
    // Each upload holds up to maxUpload bytes of disk and then an engine load: a few at a time.
    if (this.streaming + this.opens.size >= this.maxConcurrent)
      throw new HttpProblem(
        503,
        `${this.maxConcurrent} session uploads are already running; open ${name} again when one has finished`,
      );
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
    this.streaming++;
    try {
      await pipeline(req, counter, createWriteStream(file, { flags: 'wx' }));
    } catch (e) {
      await rm(file, { force: true });
      throw e instanceof HttpProblem
        ? e
        : new HttpProblem(400, `the upload of ${name} failed: ${(e as Error).message}`);
    } finally {
      this.streaming--;
    }
    if (received === 0) {
      await rm(file, { force: true });
      throw new HttpProblem(400, `${name} is empty`);
    }
    const unsent = this.options.send({ type: 'openSession', jobId, path: file });
    if (unsent) {
      await rm(file, { force: true });
      throw new HttpProblem(503, `${name} was not opened: ${unsent}`);
    }
    this.opens.set(jobId, { file, name });
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
