/**
 * A scripted engine for the renderer's state tests: it records the commands
 * the page sends and lets the test answer with events, as the real engine
 * (or the server that restarts it) would.
 */
import {
  type Command,
  type DatasetInfo,
  type DatasetSource,
  encodeF32,
  encodeI32,
  engineApiFrom,
  type EngineEvent,
} from '../../src-main/protocol.js';
import type { PageEvent } from '../../src-renderer/engine-client.js';

type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

/** Lets pending promise callbacks run (the page's workflows await the engine's answers). */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export function fakeEngine() {
  const sent: Command[] = [];
  const listeners = new Set<(e: EngineEvent) => void>();
  const api = engineApiFrom(
    (c) => sent.push(c),
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  );
  return {
    api,
    sent,
    /** Sends an event to the page (engineRestarted too, which protocol.ts may not declare yet). */
    emit(e: PageEvent): void {
      for (const l of listeners) l(e as EngineEvent);
    },
    /** The last command of a type, after letting the page's workflow reach it. */
    async last<T extends Command['type']>(type: T): Promise<CommandOf<T>> {
      await tick();
      const c = sent.filter((x): x is CommandOf<T> => x.type === type).at(-1);
      if (!c) throw new Error(`the page sent no ${type} (sent: ${sent.map((x) => x.type).join(', ')})`);
      return c;
    },
    count(type: Command['type']): number {
      return sent.filter((x) => x.type === type).length;
    },
  };
}

/** A dataset summary of n items in k classes. */
export function datasetInfo(n: number, source: DatasetSource, k = 10): DatasetInfo {
  const labels = Int32Array.from({ length: n }, (_, i) => i % k);
  return {
    name: source.kind === 'mnist' ? 'MNIST' : source.path.split('/').at(-1)!,
    source,
    format: source.kind === 'mnist' ? 'idx' : 'image folder',
    n,
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: k }, (_, c) => String(c)),
    classCounts: Array.from({ length: k }, (_, c) => labels.filter((l) => l === c).length),
    hasFiles: source.kind === 'folder',
    skipped: [],
    notes: [],
    fromCache: false,
    labels: encodeI32(labels),
  };
}

export function trainedEvent(
  jobId: string,
  n: number,
  over: Partial<Extract<EngineEvent, { type: 'trained' }>> = {},
): EngineEvent {
  return {
    type: 'trained',
    jobId,
    model: 'deep',
    epochs: [{ epoch: 1, loss: 0.3, seconds: 0.1 }],
    cancelled: false,
    codeSize: 16,
    meanError: 0.12,
    errors: encodeF32(Float32Array.from({ length: n }, (_, i) => i / n)),
    ...over,
  } as EngineEvent;
}

export function projectionEvent(
  jobId: string,
  n: number,
  over: Partial<Extract<EngineEvent, { type: 'projection' }>> = {},
): EngineEvent {
  return {
    type: 'projection',
    jobId,
    method: 'tsne',
    positions: encodeF32(Float32Array.from({ length: 2 * n }, (_, i) => i)),
    iteration: 500,
    final: true,
    kl: 1.5,
    seconds: 2,
    metrics: { knnAccuracy: 0.9 },
    ...over,
  } as EngineEvent;
}
