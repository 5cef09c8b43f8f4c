/**
 * What a page may send over the web-mode socket, and the one place where a
 * message becomes a command for the engine: size, JSON, the protocol's
 * validation (which keeps only the fields it knows), and what web mode
 * refuses on top of it. Nothing else reaches the engine.
 */
import type { RawData } from 'ws';

import { type Command, commandIds, parseCommand, type ParsedCommand } from '../protocol.js';

/**
 * Largest command a page may send. The biggest the product needs is a CSV
 * export of a selection of every point: rows as base64 Int32, 5.3 MB for a
 * million rows; 16 MiB leaves room for three times that.
 */
export const MAX_MESSAGE_BYTES = 16 * 2 ** 20;

/**
 * Largest WebSocket message the socket reads at all. Between the two limits
 * a message is read and refused with an error event, the socket stays open;
 * above this one `ws` closes the socket with 1009 (message too big) without
 * reading further, so no page can make the server buffer more than this.
 */
export const WIRE_LIMIT_BYTES = 2 * MAX_MESSAGE_BYTES;

/**
 * Deepest nesting of arrays and objects a message may have. The deepest
 * command the product sends is 3 levels (loadDataset.source.size); JSON.parse
 * of deep input is slow (200,000 levels take ~0.4 s), so deeper text is
 * refused by a scan before it is parsed.
 */
export const MAX_NESTING = 32;

/**
 * True when the JSON text nests arrays or objects deeper than `max`. One pass
 * over the bytes, skipping strings (UTF-8 continuation bytes are never ASCII,
 * so quotes and brackets are found byte by byte).
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

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

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Turns one socket message into a command the engine may receive; never throws. */
export function commandFromMessage(data: RawData): ParsedCommand {
  const size = byteLength(data);
  if (size > MAX_MESSAGE_BYTES)
    return {
      ok: false,
      message: `bad command: the message is ${mb(size)}; a command may be at most ${mb(MAX_MESSAGE_BYTES)}`,
      ids: {},
    };
  let raw: unknown;
  try {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (nestsDeeperThan(bytes, MAX_NESTING))
      return {
        ok: false,
        message: `bad command: nested deeper than ${MAX_NESTING} levels of arrays and objects`,
        ids: {},
      };
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    // A RangeError (input nested beyond what the parser takes) is as much "not JSON" as a syntax error.
    return {
      ok: false,
      message: e instanceof RangeError ? 'bad command: nested too deeply' : 'bad command: not JSON',
      ids: {},
    };
  }
  let checked: ParsedCommand;
  try {
    // The schema's copy, not `raw`: every field it does not declare (however deep) is dropped here.
    checked = parseCommand(raw);
  } catch (e) {
    return {
      ok: false,
      message: `bad command: ${e instanceof RangeError ? 'nested too deeply' : 'not a command'}`,
      ids: {},
    };
  }
  if (!checked.ok) return { ...checked, message: `bad command: ${checked.message}` };
  const refused = refusedInWebMode(checked.command);
  return refused ? { ok: false, message: `bad command: ${refused}`, ids: commandIds(checked.command) } : checked;
}
