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
  /** Per job and stage: the last decile printed, of which count (a job's phases each count from 0 to their own total). */
  private lastDecile = new Map<string, { decile: number; done: number; total: number }>();

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
    const last = this.lastDecile.get(key);
    // A new phase (t-SNE: neighbours, calibration, symmetrisation, then the iterations) starts its own bar.
    const samePhase = last !== undefined && last.total === p.total && last.done <= p.done;
    if (samePhase && last.decile >= decile) return;
    this.lastDecile.set(key, { decile, done: p.done, total: p.total });
    this.out.write(progressLine(p) + '\n');
  }

  /** Ends the current bar so the next output starts on a fresh line. */
  done(message?: string): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.live = false;
    if (message) this.out.write(message + '\n');
  }
}
