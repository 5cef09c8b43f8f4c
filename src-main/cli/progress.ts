/**
 * Terminal progress: one bar per stage, redrawn in place on a terminal, a
 * line every 10 % otherwise (logs, pipes, CI), always with rate and ETA.
 */
import type { Progress } from '../protocol.js';

/** Formats seconds as m:ss or h:mm:ss. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: stage, bar, percent, rate, ETA, message. */
export function progressLine(p: Progress, width = 24): string {
  const f = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  const filled = Math.round(f * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const rate =
    p.rate !== undefined && Number.isFinite(p.rate)
      ? `  ${p.rate >= 100 ? Math.round(p.rate) : p.rate.toFixed(1)} ${p.rateUnit ?? '/s'}`
      : '';
  const eta = p.etaSeconds !== undefined ? `  ETA ${formatEta(p.etaSeconds)}` : '';
  return `${p.stage.padEnd(7)} ${bar} ${String(Math.round(f * 100)).padStart(3)}%${rate}${eta}  ${p.message}`;
}

/** Draws progress events on a stream (stderr), in place when it is a terminal. */
export class ProgressBars {
  private live = false;
  private lastDecile = new Map<string, number>();

  constructor(private readonly out: { write(s: string): unknown; isTTY?: boolean; columns?: number }) {}

  update(p: Progress): void {
    if (this.out.isTTY) {
      const cols = this.out.columns ?? 100;
      let line = progressLine(p);
      if (line.length > cols - 1) line = line.slice(0, cols - 2) + '…';
      this.out.write(`\r\x1b[2K${line}`);
      this.live = true;
      return;
    }
    const key = `${p.jobId}:${p.stage}`;
    const decile = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 0;
    if ((this.lastDecile.get(key) ?? -1) >= decile) return;
    this.lastDecile.set(key, decile);
    this.out.write(progressLine(p) + '\n');
  }

  /** Ends the current bar so the next output starts on a fresh line. */
  done(message?: string): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.live = false;
    if (message) this.out.write(message + '\n');
  }
}
