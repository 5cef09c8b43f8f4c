/**
 * The bridge between the window and the engine. The engine runs in an
 * Electron utilityProcess (dist/main/engine-worker.js, talking over its
 * parentPort MessagePort), so long jobs never block the main process. Every
 * message from the renderer is checked before it goes on: it must come from
 * the main frame of our own window at the app's origin, be a well-formed
 * protocol command, and must not name a file to write (paths to write come
 * only from a save dialog in the main process). Electron objects are
 * injected, so tests drive the bridge with fakes and bad payloads.
 */
import { type Command, type EngineEvent, parseCommand, type ParsedCommand } from '../protocol.js';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from './ipc-channels.js';
import { isAppUrl } from './security.js';
import { VIEW_CHANNEL, viewProblem } from './shell-actions.js';

export { COMMAND_CHANNEL, EVENT_CHANNEL };

/** The engine process as the bridge sees it (Electron's UtilityProcess fits). */
export interface EngineProcess {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

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
export function rendererCommandProblem(command: Command): string | null {
  if (command.type === 'exportCsv' && command.path !== undefined)
    return 'exportCsv from the window may not name a file: the main process asks with a save dialog';
  if (command.type === 'saveSession') return 'saveSession from the window is not allowed: use File → Save Session…';
  return null;
}

/** Options of the bridge. */
export interface EngineBridgeOptions {
  ipc: IpcMainLike;
  /** Starts the engine process; called again after it stops unexpectedly. */
  spawnEngine: () => EngineProcess;
  /**
   * Called for a pathless exportCsv from the window: the desktop app asks
   * where to save, then sends the command on with the chosen path.
   */
  onExportRequest?: (command: Extract<Command, { type: 'exportCsv' }>) => void;
  /** Where rejected messages are reported (default: console.warn). */
  warn?: (message: string) => void;
}

/** Connects one window to one engine process; main-process code also sends through it. */
export class EngineBridge {
  private engine: EngineProcess | null = null;
  private target: RendererTarget | null = null;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private stopping = false;
  /** The engine's last `ready` event (backend and versions for Help → About). */
  ready: Extract<EngineEvent, { type: 'ready' }> | null = null;

  private readonly onCommand = (event: SenderEvent, ...args: unknown[]) => {
    const warn = this.options.warn ?? ((m: string) => console.warn(`[ipc] ${m}`));
    const who = senderProblem(event, this.target);
    if (who) {
      // Not answered: the sender is not our window.
      warn(`dropped a message: ${who}`);
      return;
    }
    const parsed: ParsedCommand =
      args.length !== 1 ? { ok: false, message: 'expected exactly one command' } : parseCommand(args[0]);
    // Only the parsed command goes on: the schema dropped every field it does not declare.
    const problem = parsed.ok ? rendererCommandProblem(parsed.command) : parsed.message;
    if (!parsed.ok || problem) {
      warn(`rejected a command: ${problem}`);
      this.deliver({ type: 'error', message: `bad command: ${problem}` });
      return;
    }
    const c = parsed.command;
    if (c.type === 'exportCsv' && this.options.onExportRequest) this.options.onExportRequest(c);
    else this.send(c);
  };

  /** The page's latest view state (from the same checked window), saved with sessions. */
  view: Record<string, unknown> | null = null;

  private readonly onView = (event: SenderEvent, ...args: unknown[]) => {
    const warn = this.options.warn ?? ((m: string) => console.warn(`[ipc] ${m}`));
    const problem =
      senderProblem(event, this.target) ?? (args.length !== 1 ? 'expected one view state' : viewProblem(args[0]));
    if (problem) warn(`dropped a view state: ${problem}`);
    else this.view = structuredClone(args[0] as Record<string, unknown>);
  };

  constructor(private readonly options: EngineBridgeOptions) {
    options.ipc.on(COMMAND_CHANNEL, this.onCommand);
    options.ipc.on(VIEW_CHANNEL, this.onView);
  }

  /** The window whose messages are accepted and which receives every event. */
  attach(target: RendererTarget | null): void {
    this.target = target;
  }

  /** Sends a command from the main process (menus, dialogs); it is validated too. */
  send(command: Command): void {
    const parsed = parseCommand(command);
    if (!parsed.ok) throw new Error(`bad command: ${parsed.message}`);
    this.process().postMessage(parsed.command);
  }

  /** Listens to every engine event in the main process; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the engine and stops listening. */
  dispose(): void {
    this.stopping = true;
    this.options.ipc.removeListener(COMMAND_CHANNEL, this.onCommand);
    this.options.ipc.removeListener(VIEW_CHANNEL, this.onView);
    this.engine?.kill();
    this.engine = null;
  }

  private process(): EngineProcess {
    if (this.engine) return this.engine;
    const engine = this.options.spawnEngine();
    engine.on('message', (m) => {
      const event = m as EngineEvent;
      if (event && event.type === 'ready') this.ready = event;
      this.deliver(event);
    });
    engine.on('exit', (code) => {
      if (this.engine === engine) this.engine = null;
      if (!this.stopping)
        this.deliver({
          type: 'error',
          message: `the engine process stopped (exit code ${code}); the next action starts a new one`,
        });
    });
    this.engine = engine;
    return engine;
  }

  private deliver(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
    if (this.target && !this.target.isDestroyed()) this.target.send(EVENT_CHANNEL, event);
  }
}
