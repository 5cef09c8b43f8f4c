/**
 * Keeps one engine process running for the web server. When the engine dies
 * (a crash, the OOM killer, a kill), a fresh one is forked after a short
 * backoff and the server is told, so it can say to every page that the
 * loaded data and model were lost. An engine that keeps dying is not
 * restarted forever: past `maxRestarts` within a minute the supervisor gives
 * up and says so, and every later command is answered with that message.
 */
import { type ChildProcess, fork } from 'node:child_process';

import type { Command, EngineEvent } from '../protocol.js';

/** Options of the engine supervisor. */
export interface EngineSupervisorOptions {
  /** The engine worker script to fork. */
  workerPath: string;
  /** Environment of the engine process. */
  env: NodeJS.ProcessEnv;
  /** Every event the engine sends. */
  onEvent(event: EngineEvent): void;
  /** The engine stopped; `message` says how. Called before any restart. */
  onStopped(message: string): void;
  /** A fresh engine runs in place of the one that stopped. */
  onRestarted(message: string): void;
  /** The engine stopped too often and is not restarted again. */
  onGaveUp(message: string): void;
  /** Most restarts within `windowMs` (default 5). */
  maxRestarts?: number;
  /** The window over which restarts are counted, in ms (default one minute). */
  windowMs?: number;
  /** Delay before the first restart, in ms; it doubles with each recent restart, up to 5 s (default 200). */
  backoffMs?: number;
}

const MAX_BACKOFF_MS = 5000;

/** One engine process at a time, restarted when it dies. */
export class EngineSupervisor {
  private child: ChildProcess | null = null;
  /** Times of the restarts within the window, oldest first. */
  private restarts: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Set once the supervisor has given up; every send is answered with it. */
  private gaveUp: string | null = null;
  private stopping: string | null = null;
  private closed = false;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.child = this.spawn();
  }

  /** Process id of the running engine (undefined while it restarts). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Sends a command to the engine. Returns why it cannot (the engine is
   * restarting, or has stopped for good, or the message cannot be
   * serialised), or null when it went out; a send that fails later (the
   * engine died meanwhile) is reported to `onLateFail`. Never throws.
   */
  send(command: Command, onLateFail?: (message: string) => void): string | null {
    const child = this.child;
    if (this.gaveUp) return this.gaveUp;
    if (!child?.connected) return this.stopping ?? 'the engine is not running';
    try {
      child.send(command, (err) => {
        if (err) onLateFail?.(`the command did not reach the engine: ${err.message}`);
      });
    } catch (e) {
      // Serialising the message can throw (RangeError on a value nested too deeply).
      return `the command could not be sent to the engine: ${(e as Error).message}`;
    }
    return null;
  }

  /** Stops the engine and every restart. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill();
    this.child = null;
  }

  private spawn(): ChildProcess {
    const child = fork(this.options.workerPath, [], {
      env: this.options.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Without this listener a failed spawn or a send to a dead channel (ERR_IPC_CHANNEL_CLOSED) kills the server.
    child.on('error', (e) => process.stderr.write(`ae-explorer web: engine process: ${e.message}\n`));
    child.on('message', (m) => {
      if (child === this.child) this.options.onEvent(m as EngineEvent);
    });
    child.once('exit', (code, signal) => {
      if (child !== this.child || this.closed) return;
      this.child = null;
      this.stopped(signal ?? `exit code ${code}`);
    });
    return child;
  }

  private stopped(how: string): void {
    const now = Date.now();
    const windowMs = this.options.windowMs ?? 60_000;
    const max = this.options.maxRestarts ?? 5;
    this.restarts = this.restarts.filter((t) => now - t < windowMs);
    const lost = 'the loaded data and model were lost';
    this.options.onStopped(`the engine stopped (${how}); ${lost}`);
    if (this.restarts.length >= max) {
      this.gaveUp =
        `the engine stopped (${how}) ${max + 1} times within ${Math.round(windowMs / 1000)} s ` +
        'and is not restarted again: restart the server (npm run web)';
      process.stderr.write(`ae-explorer web: ${this.gaveUp}\n`);
      this.options.onGaveUp(this.gaveUp);
      return;
    }
    const delay = Math.min((this.options.backoffMs ?? 200) * 2 ** this.restarts.length, MAX_BACKOFF_MS);
    this.restarts.push(now);
    this.stopping = `the engine stopped (${how}) and is restarting; ${lost}`;
    process.stderr.write(`ae-explorer web: the engine stopped (${how}); restarting it in ${delay} ms\n`);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      this.child = this.spawn();
      this.stopping = null;
      this.options.onRestarted(`the engine stopped (${how}) and was restarted; ${lost}`);
    }, delay);
  }
}
