/**
 * Requests from the page that need the main process's native dialogs: saving
 * an exported map PNG (the page renders it; only main writes files), and the
 * page's Save session / Open session buttons; and the preload's report of a
 * dropped path, which the page may then load. Every message is checked like
 * engine commands are: it must come from our window's top frame, and its
 * payload must have the right type and size. The path to write comes only
 * from the save dialog, never from the page.
 */
import type { Dialog } from 'electron';

import { writeFileAtomic } from '../engine/export/csv.js';
import { CHANNELS, isFolderPath, isSessionRequest } from '../shell-contract.js';
import { type RendererTarget, type SenderEvent, senderProblem } from './ipc.js';
import type { PathGrants } from './path-grants.js';

/** Largest PNG the page may hand over: a 8192×8192 RGBA image stored uncompressed is 256 MB. */
export const MAX_PNG_BYTES = 300 * 2 ** 20;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The ipcMain subset this module uses (Electron's ipcMain fits). */
export interface IpcHandleLike {
  on(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
  handle(channel: string, handler: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** What the page requests need. */
export interface PageRequestDeps {
  ipc: IpcHandleLike;
  dialog: Pick<Dialog, 'showSaveDialog'>;
  /** The window whose requests are accepted. */
  target(): RendererTarget | null;
  /** The session dialogs of the menu actions. */
  saveSessionDialog(): void;
  openSession(): void;
  /** Writes the file (default: atomically, temporary file + rename). */
  write?(file: string, bytes: Uint8Array): Promise<void>;
  /** Where refused requests are reported (default: console.warn). */
  warn?(message: string): void;
  /** Largest accepted PNG in bytes (default MAX_PNG_BYTES). */
  maxPngBytes?: number;
  /** Where dropped paths are granted; without it, drop reports are ignored. */
  grants?: Pick<PathGrants, 'grantDropped'>;
}

/** Why (bytes, name) is not a PNG the page may save, or null. */
export function pngPayloadProblem(bytes: unknown, name: unknown, max = MAX_PNG_BYTES): string | null {
  if (!(bytes instanceof Uint8Array)) return 'the image must be bytes (a Uint8Array)';
  if (bytes.length > max) return `the image is ${bytes.length} bytes; the most accepted is ${max}`;
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b))
    return 'the image is not a PNG (wrong signature)';
  if (typeof name !== 'string' || name.length === 0 || name.length > 200 || hasPathOrControl(name))
    return 'the suggested name must be a plain file name of at most 200 characters';
  return null;
}

/** True for a name with a path separator or a control character (not a plain file name). */
function hasPathOrControl(name: string): boolean {
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch === '/' || ch === '\\' || c < 32 || c === 127) return true;
  }
  return false;
}

/** Registers the handlers; returns the function that removes them. */
export function setupPageRequests(d: PageRequestDeps): () => void {
  const warn = d.warn ?? ((m: string) => console.warn(`[ipc] ${m}`));
  const write = d.write ?? ((file: string, bytes: Uint8Array) => writeFileAtomic(file, bytes));

  const savePng = async (event: SenderEvent, ...args: unknown[]): Promise<string | null> => {
    const problem =
      senderProblem(event, d.target()) ??
      (args.length !== 2 ? 'expected the image and a name' : pngPayloadProblem(args[0], args[1], d.maxPngBytes));
    if (problem) {
      warn(`refused a PNG to save: ${problem}`);
      throw new Error(`cannot save the PNG: ${problem}`);
    }
    const name = (args[1] as string).toLowerCase().endsWith('.png') ? (args[1] as string) : `${args[1] as string}.png`;
    const r = await d.dialog.showSaveDialog({
      title: 'Export Map PNG',
      defaultPath: name,
      filters: [{ name: 'PNG image', extensions: ['png'] }],
    });
    if (r.canceled || !r.filePath) return null;
    await write(r.filePath, args[0] as Uint8Array);
    return r.filePath;
  };

  const onSession = (event: SenderEvent, ...args: unknown[]) => {
    const problem =
      senderProblem(event, d.target()) ??
      (args.length === 1 && isSessionRequest(args[0]) ? null : 'expected "save-session" or "open-session"');
    if (problem) warn(`dropped a session request: ${problem}`);
    else if (args[0] === 'save-session') d.saveSessionDialog();
    else d.openSession();
  };

  // The preload reports only what webUtils.getPathForFile found for a real File; a File made by script has no path.
  const onDropped = (event: SenderEvent, ...args: unknown[]) => {
    const problem =
      senderProblem(event, d.target()) ??
      (args.length === 1 && isFolderPath(args[0]) ? null : 'expected one path of at most 4095 characters');
    if (problem) warn(`dropped a drop report: ${problem}`);
    else d.grants?.grantDropped(args[0] as string);
  };

  d.ipc.handle(CHANNELS.savePng, savePng);
  d.ipc.on(CHANNELS.sessionRequest, onSession);
  d.ipc.on(CHANNELS.dropped, onDropped);
  return () => {
    d.ipc.removeHandler(CHANNELS.savePng);
    d.ipc.removeListener(CHANNELS.sessionRequest, onSession);
    d.ipc.removeListener(CHANNELS.dropped, onDropped);
  };
}
