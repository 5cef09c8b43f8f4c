import type { EngineEvent, Progress } from '../../protocol.js';
import type { Dataset } from '../datasets/types.js';
import type { EngineState, LoadedDataset, Trained } from '../state.js';
import type { LiveMapOptions } from '../training/snapshot.js';

/** Reports one job's progress (throttled; `force` sends at once). */
export type Reporter = (p: Omit<Progress, 'jobId' | 'stage'>, force?: boolean) => void;

/** What every job module is handed by the engine. */
export interface JobContext {
  /** The current state (read it again after every await: another job may have replaced it). */
  readonly state: EngineState;
  /** Replaces the state whole; models no longer referenced are disposed. Returns the new state. */
  commit(next: EngineState): EngineState;
  emit(event: EngineEvent): void;
  /** A throttled progress reporter for a job. */
  progress(jobId: string, stage: Progress['stage']): Reporter;
  /** Initialises the TensorFlow.js backend on first need, once. */
  backend(): Promise<void>;
  /** Largest model training builds, in bytes of weights. */
  readonly maxModelBytes: number;
  /** When a training run's live map is refreshed (training/snapshot.ts). */
  readonly liveMap: Partial<LiveMapOptions>;
}

/** The loaded dataset, or a clear error. */
export function needLoaded(state: EngineState): LoadedDataset {
  if (!state.loaded) throw new Error('no dataset is loaded');
  return state.loaded;
}

/** The loaded dataset's images, or a clear error. */
export function needDataset(state: EngineState): Dataset {
  return needLoaded(state).dataset;
}

/** The trained model's record, or a clear error saying what to do. */
export function needTrained(state: EngineState, what: string): Trained {
  needLoaded(state);
  if (!state.trained) throw new Error(`train a model first: ${what}`);
  return state.trained;
}

/** Throws the message of an index past the dataset's end. */
export function checkIndex(ds: Dataset, index: number, what = 'item'): void {
  if (!(Number.isInteger(index) && index >= 0 && index < ds.n))
    throw new Error(`${what} ${index} is out of range (the dataset has ${ds.n})`);
}
