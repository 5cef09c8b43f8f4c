/**
 * Keeps one engine process running for the desktop app. It is started with
 * the first command; if it dies (a crash, the OS killing it for memory), a
 * fresh one is started at once and everyone listening hears
 * `engineRestarted`, since the data and model it held are gone. Later
 * commands go to the new engine. A process that keeps dying is not
 * restarted in a loop: past MAX_QUICK_RESTARTS within RESTART_WINDOW_MS the
 * next one starts with the next command. Sending never throws because the
 * engine is missing or gone: the command's sender gets an error event.
 */
import { type Command, commandIds, type EngineEvent } from '../protocol.js';

/** The engine process as the host sees it (Electron's UtilityProcess fits). */
export interface EngineProcess {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** A V8 fatal error, reported just before 'exit'. */
  on(event: 'error', listener: (type: string, location: string) => void): unknown;
  kill(): boolean;
}

/** At most this many restarts within RESTART_WINDOW_MS; past that the next engine waits for the next command. */
export const MAX_QUICK_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

/** An error event for `command`, carrying its job or request id so the sender's waiting job ends. */
export function errorFor(command: unknown, message: string): Extract<EngineEvent, { type: 'error' }> {
  return { type: 'error', ...commandIds(command), message };
}

/** Options of the host. */
export interface EngineHostOptions {
  /** Starts an engine process (Electron: utilityProcess.fork of dist/main/engine-worker.js). */
  spawn: () => EngineProcess;
  /** Every event, from the engine or about it. */
  deliver: (event: EngineEvent) => void;
  /** The clock of the restart limit (default Date.now). */
  now?: () => number;
}

/** Owns the engine process: starts it, restarts it when it dies, stops it on dispose. */
export class EngineHost {
  private engine: EngineProcess | null = null;
  private stopping = false;
  private starts = 0;
  private readonly restarts: number[] = [];

  constructor(private readonly options: EngineHostOptions) {}

  /** True while an engine process is running. */
  get running(): boolean {
    return this.engine !== null;
  }

  /** Hands a (validated) command to the engine, starting one if none runs. */
  send(command: Command): void {
    const engine = this.engine ?? this.start();
    if (!engine) return this.options.deliver(errorFor(command, 'the engine could not be started; try again'));
    try {
      engine.postMessage(command);
    } catch (e) {
      // The process went away between its exit and our hearing of it.
      this.options.deliver(
        errorFor(command, `the engine did not take the command (${(e as Error).message}); try again`),
      );
    }
  }

  /** Stops the engine for good (the app quits). */
  dispose(): void {
    this.stopping = true;
    this.engine?.kill();
    this.engine = null;
  }

  private start(): EngineProcess | null {
    let engine: EngineProcess;
    try {
      engine = this.options.spawn();
    } catch (e) {
      console.warn(`[engine] could not start: ${(e as Error).message}`);
      return null;
    }
    let fatal = '';
    engine.on('message', (m) => {
      if (this.engine === engine) this.options.deliver(m as EngineEvent);
    });
    engine.on('error', (type, location) => (fatal = `${type} in ${location}`));
    engine.on('exit', (code) => this.exited(engine, code, fatal));
    this.engine = engine;
    // A restarted engine starts its backend at once, as the page's first hello did for the first one.
    if (this.starts++ > 0) engine.postMessage({ type: 'hello' } satisfies Command);
    return engine;
  }

  private exited(engine: EngineProcess, code: number, fatal: string): void {
    if (this.engine !== engine) return;
    this.engine = null;
    if (this.stopping) return;
    const now = (this.options.now ?? Date.now)();
    while (this.restarts.length && now - this.restarts[0] > RESTART_WINDOW_MS) this.restarts.shift();
    const why = `${fatal ? `${fatal}, ` : ''}exit code ${code}`;
    const lost = 'the loaded data and model were lost';
    if (this.restarts.length >= MAX_QUICK_RESTARTS) {
      this.options.deliver({
        type: 'engineRestarted',
        message: `the engine stopped again (${why}), more than ${MAX_QUICK_RESTARTS} times within a minute; ${lost}, and a new one starts with your next action`,
      });
      return;
    }
    this.restarts.push(now);
    const started = this.start() !== null;
    this.options.deliver({
      type: 'engineRestarted',
      message: started
        ? `the engine stopped (${why}); a new one was started — ${lost}`
        : `the engine stopped (${why}) and a new one could not be started; ${lost}, and your next action tries again`,
    });
  }
}
