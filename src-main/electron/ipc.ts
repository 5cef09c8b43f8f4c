/**
 * The bridge between the window and the engine. The engine runs in an
 * Electron utilityProcess (dist/main/engine-worker.js, talking over its
 * parentPort MessagePort), so long jobs never block the main process. Every
 * message from the renderer is checked before it goes on: it must come from
 * the main frame of our own window at the app's origin, be a well-formed
 * protocol command, must not name a file to write (paths to write come
 * only from a save dialog in the main process), and may name a file to read
 * only if the user chose it (path-grants.ts). When the engine process dies,
 * a fresh one is started at once and the page is told its data and model
 * are gone. Electron objects are injected, so tests drive the bridge with
 * fakes and bad payloads.
 */
import { type Command, type EngineEvent, parseCommand, type ParsedCommand } from '../protocol.js';
import { CHANNELS, viewProblem } from '../shell-contract.js';
import { EngineHost, type EngineProcess, errorFor } from './engine-host.js';
import { type PathGrants, readProblem } from './path-grants.js';
import { isAppUrl } from './security.js';

/** The parts of an IPC event the checks read (Electron's IpcMainEvent fits). */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** The ipcMain subset the bridge uses. */
export interface IpcMainLike {
  on(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => void): unknown;
}

/** The window's webContents as the bridge sees it. */
export interface RendererTarget {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Why a message from `event` may not reach the engine, or null when its sender is our window's top frame. */
export function senderProblem(event: SenderEvent, target: RendererTarget | null): string | null {
  if (!target || target.isDestroyed()) return 'no window is attached';
  if (event.sender?.id !== target.id) return 'message from another web contents';
  const frame = event.senderFrame;
  if (!frame) return 'message from a frame that no longer exists';
  if (frame.parent) return 'message from a subframe';
  if (!isAppUrl(frame.url)) return `message from a foreign origin (${frame.url})`;
  return null;
}

/**
 * Why a renderer may not send this (already well-formed) command, or null.
 * A renderer cannot be trusted with the file system: it never names a file
 * for the engine to write.
 */
export function rendererCommandProblem(command: Command, grants?: Pick<PathGrants, 'allows'>): string | null {
  if (command.type === 'exportCsv' && command.path !== undefined)
    return 'exportCsv from the window may not name a file: the main process asks with a save dialog';
  if (command.type === 'saveSession') return 'saveSession from the window is not allowed: use File → Save Session…';
  return grants ? readProblem(command, grants) : null;
}

/** Options of the bridge. */
export interface EngineBridgeOptions {
  ipc: IpcMainLike;
  /** Starts an engine process; called again after one stops unexpectedly. */
  spawnEngine: () => EngineProcess;
  /**
   * Called for a pathless exportCsv from the window: the desktop app asks
   * where to save, then sends the command on with the chosen path.
   */
  onExportRequest?: (command: Extract<Command, { type: 'exportCsv' }>) => void;
  /** What the window may have the engine read; without it, any path (tests of other rules). */
  grants?: Pick<PathGrants, 'allows'>;
  /** Where rejected messages are reported (default: console.warn). */
  warn?: (message: string) => void;
  /** The clock of the engine's restart limit (default Date.now). */
  now?: () => number;
}

/** Connects one window to one engine process; main-process code also sends through it. */
export class EngineBridge {
  private readonly host: EngineHost;
  private target: RendererTarget | null = null;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly warn: (message: string) => void;
  /** The engine's last `ready` event (backend and versions for Help → About). */
  ready: Extract<EngineEvent, { type: 'ready' }> | null = null;
  /** The page's latest view state (from the same checked window), saved with sessions. */
  view: Record<string, unknown> | null = null;

  private readonly onCommand = (event: SenderEvent, ...args: unknown[]) => {
    const who = senderProblem(event, this.target);
    if (who) {
      // Not answered: the sender is not our window.
      this.warn(`dropped a message: ${who}`);
      return;
    }
    const parsed: ParsedCommand =
      args.length !== 1 ? { ok: false, message: 'expected exactly one command', ids: {} } : parseCommand(args[0]);
    if (!parsed.ok) {
      this.warn(`rejected a command: ${parsed.message}`);
      this.deliver(errorFor(args[0], `bad command: ${parsed.message}`));
      return;
    }
    // Only the parsed command goes on: the schema dropped every field it does not declare.
    const c = parsed.command;
    const policy = rendererCommandProblem(c, this.options.grants);
    if (policy) {
      this.warn(`refused a command: ${policy}`);
      this.deliver(errorFor(c, policy));
      return;
    }
    if (c.type === 'exportCsv' && this.options.onExportRequest) this.options.onExportRequest(c);
    else this.send(c);
  };

  private readonly onView = (event: SenderEvent, ...args: unknown[]) => {
    const problem =
      senderProblem(event, this.target) ?? (args.length !== 1 ? 'expected one view state' : viewProblem(args[0]));
    if (problem) this.warn(`dropped a view state: ${problem}`);
    else this.view = structuredClone(args[0] as Record<string, unknown>);
  };

  constructor(private readonly options: EngineBridgeOptions) {
    this.warn = options.warn ?? ((m: string) => console.warn(`[ipc] ${m}`));
    this.host = new EngineHost({
      spawn: options.spawnEngine,
      now: options.now,
      deliver: (e) => {
        if (e && e.type === 'ready') this.ready = e;
        if (e && e.type === 'engineRestarted') this.ready = null;
        this.deliver(e);
      },
    });
    options.ipc.on(CHANNELS.command, this.onCommand);
    options.ipc.on(CHANNELS.view, this.onView);
  }

  /** The window whose messages are accepted and which receives every event. */
  attach(target: RendererTarget | null): void {
    this.target = target;
  }

  /**
   * Sends a command from the main process (menus, dialogs); it is validated
   * too, and a malformed one is a bug in main, so it throws. A missing or
   * dead engine never makes it throw: the sender hears an error event.
   */
  send(command: Command): void {
    const parsed = parseCommand(command);
    if (!parsed.ok) throw new Error(`bad command: ${parsed.message}`);
    this.host.send(parsed.command);
  }

  /** Listens to every event in the main process; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the engine and stops listening. */
  dispose(): void {
    this.options.ipc.removeListener(CHANNELS.command, this.onCommand);
    this.options.ipc.removeListener(CHANNELS.view, this.onView);
    this.host.dispose();
  }

  private deliver(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
    if (this.target && !this.target.isDestroyed()) this.target.send(CHANNELS.event, event);
  }
}
