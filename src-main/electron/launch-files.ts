/**
 * Session files handed to the app by the OS: on the command line (Windows,
 * Linux, a second launch) or through macOS's open-file event. They are
 * opened once the page has loaded its first dataset, so the page's own
 * start-up load cannot overwrite the session.
 */
import type { EngineEvent } from '../protocol.js';

/** The first `.aex` argument, if any (flags and the app path are skipped). */
export function sessionFromArgv(argv: readonly string[]): string | null {
  for (const a of argv.slice(1)) if (!a.startsWith('-') && /\.aex$/i.test(a)) return a;
  return null;
}

/**
 * Holds a file until the engine reports its first loaded dataset (or an
 * error, or a restart), then hands it to `open`; files arriving later open at once.
 */
export class LaunchFiles {
  private pending: string | null = null;
  private ready = false;

  constructor(private readonly open: (file: string) => void) {}

  /** A file the OS asked the app to open. */
  add(file: string): void {
    if (this.ready) this.open(file);
    else this.pending = file;
  }

  /** Feed every engine event here. */
  onEvent(e: EngineEvent): void {
    if (this.ready || (e.type !== 'datasetLoaded' && e.type !== 'error' && e.type !== 'engineRestarted')) return;
    this.ready = true;
    const file = this.pending;
    this.pending = null;
    if (file) this.open(file);
  }
}
