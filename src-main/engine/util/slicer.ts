/** Thrown inside a phase when the run was cancelled; the orchestrator turns it into a partial result. */
export class Cancelled extends Error {
  constructor() {
    super('t-SNE cancelled');
  }
}

/** Lets pending I/O (such as a cancel command) run: resolves after the event loop's current turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Cooperative time-slicing: long loops call `tick()` often; once a slice is used up it yields to the event loop
 * (so an IPC cancel can arrive) and throws `Cancelled` if the signal was aborted meanwhile.
 */
export class Slicer {
  private last = performance.now();
  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = 40,
  ) {}

  /** True when the current slice is used up; cheap enough to call every few hundred operations. */
  due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }

  /** Yields if the slice is used up; throws `Cancelled` when aborted. */
  async tick(): Promise<void> {
    if (this.signal?.aborted) throw new Cancelled();
    if (!this.due()) return;
    await yieldToEventLoop();
    this.last = performance.now();
    if (this.signal?.aborted) throw new Cancelled();
  }
}

/**
 * fn over [from, to) in blocks of `size`, with a slicer tick before each: one loop over every row of a large input
 * (a million points) that would otherwise run for seconds without the event loop turning.
 */
export async function inBlocks(
  from: number,
  to: number,
  size: number,
  slicer: Slicer | undefined,
  fn: (a: number, b: number) => void,
): Promise<void> {
  for (let a = from; a < to; a += size) {
    await slicer?.tick();
    fn(a, Math.min(to, a + size));
  }
}
