import { DECODE_BUDGET_BYTES } from './limits.js';

/**
 * A counting semaphore in bytes, first come first served: a job waits until
 * its estimate fits beside those running. A job larger than the whole budget
 * is counted as the whole budget, so it runs alone rather than never.
 */
export class ByteBudget {
  private used = 0;
  private readonly queue: { bytes: number; go: () => void }[] = [];
  /** Most bytes held at once so far (for tests and figures). */
  peak = 0;
  /** Most jobs running at once so far. */
  peakJobs = 0;
  private jobs = 0;

  constructor(readonly capacity: number) {}

  /** Waits for `bytes` of room; pair every call with release(bytes). */
  async acquire(bytes: number): Promise<void> {
    const b = Math.min(bytes, this.capacity);
    if (this.queue.length === 0 && this.used + b <= this.capacity) this.take(b);
    else await new Promise<void>((go) => this.queue.push({ bytes: b, go }));
  }

  /** Gives back what acquire(bytes) took and starts the waiting jobs that now fit. */
  release(bytes: number): void {
    this.used -= Math.min(bytes, this.capacity);
    this.jobs--;
    while (this.queue.length && this.used + this.queue[0].bytes <= this.capacity) {
      const next = this.queue.shift()!;
      this.take(next.bytes);
      next.go();
    }
  }

  private take(b: number): void {
    this.used += b;
    this.jobs++;
    this.peak = Math.max(this.peak, this.used);
    this.peakJobs = Math.max(this.peakJobs, this.jobs);
  }
}

/** The one budget every image decode of the process shares, so two loads at once stay inside it too. */
export const decodeBudget = new ByteBudget(DECODE_BUDGET_BYTES);
