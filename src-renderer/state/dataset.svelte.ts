/* eslint-disable svelte/prefer-svelte-reactivity -- the sets here are replaced whole inside $state.raw (hidden classes and clusters), never mutated in place */
import {
  type DatasetInfo,
  decodeI32,
  type EpochLog,
  type ModelKind,
  type ProjectParams,
} from '../../src-main/protocol.js';
import type { EventOf } from '../engine-client.js';
import type { ClustersRecord } from './clusters.js';
import { LiveSnapshot, type LossPoint, withLossPoint } from './live.js';
import { ProjectionRecord } from './projection.js';
import { type Slot, TrainedRecord } from './trained.svelte.js';

/** A training run under way: the kind, the epochs the engine has reported so far and its per-batch loss. */
export interface TrainingRun {
  readonly kind: ModelKind;
  readonly epochs: readonly EpochLog[];
  readonly losses: readonly LossPoint[];
}

/**
 * The head of the chain: a loaded dataset as the engine described it, and
 * its labels. The model trained on it (and through that, every projection)
 * hangs from it, so loading another dataset, which replaces this record,
 * leaves nothing of the old one to draw.
 */
export class DatasetRecord {
  readonly info: DatasetInfo;
  /** Label of every item (-1 = unlabeled). */
  readonly labels: Int32Array;

  /** The model trained on this dataset. */
  trained = $state.raw<TrainedRecord | null>(null);
  /** The training run under way, until the engine reports the model. */
  training = $state.raw<TrainingRun | null>(null);
  /**
   * The run's latest live map; apart from `training`, which every loss point
   * replaces, so the map (70,000 points) is redrawn per snapshot only.
   */
  liveMap = $state.raw<LiveSnapshot | null>(null);
  /** k-means on the pixels (run before any model was trained). */
  clusters = $state.raw<ClustersRecord | null>(null);
  /** Classes the legend hides. */
  hidden = $state.raw<ReadonlySet<number>>(new Set());
  /** The map of the pixels drawn while there is no map of a model's codes (PCA, computed on load). */
  pixelMap = $state.raw<ProjectionRecord<DatasetRecord> | null>(null);
  /**
   * A map of the pixels beside the main one, to compare with (t-SNE of their PCA-50). It stays across
   * training runs, as in the engine: it depends on the pixels alone, and takes long to redo.
   */
  pixelCompare = $state.raw<ProjectionRecord<DatasetRecord> | null>(null);
  /** The projection the engine holds now (the last one finished, of codes or pixels): CSV exports and sessions use it. */
  engineProjection = $state.raw<ProjectionRecord | null>(null);

  constructor(info: DatasetInfo) {
    this.info = info;
    this.labels = decodeI32(info.labels);
  }

  get n(): number {
    return this.info.n;
  }

  /** A new run starts: the old model and what was computed from its codes are gone. */
  startTraining(kind: ModelKind): void {
    this.trained = null;
    this.dropCodeProjection();
    this.training = { kind, epochs: [], losses: [] };
    this.liveMap = null;
  }

  /** Takes one frame of a projection of these pixels into `slot`. */
  projectPixels(slot: Slot, e: EventOf<'projection'>, params: ProjectParams | null): ProjectionRecord<DatasetRecord> {
    const p = new ProjectionRecord<DatasetRecord>(this, e, params);
    if (slot === 'main') this.pixelMap = p;
    else this.pixelCompare = p;
    if (p.final) this.engineProjection = p;
    return p;
  }

  /** The engine no longer holds a projection of codes once their model is gone (a pixel one stays). */
  private dropCodeProjection(): void {
    if (this.engineProjection?.of === 'codes') this.engineProjection = null;
  }

  /** One more epoch of the run under way. */
  addEpoch(log: EpochLog): void {
    const run = this.training;
    if (run) this.training = { ...run, epochs: [...run.epochs, log] };
  }

  /** The run's new live map (the map draws it until the model's projection arrives). */
  addSnapshot(e: EventOf<'trainSnapshot'>): void {
    if (this.training) this.liveMap = new LiveSnapshot(e, this.n);
  }

  /** One more point of the run's per-batch loss curve. */
  addLoss(e: EventOf<'trainLoss'>): void {
    const run = this.training;
    if (run) this.training = { ...run, losses: withLossPoint(run.losses, e) };
  }

  /** The engine's model: it replaces the run under way (or, for a reopened session, arrives alone). */
  takeTrained(e: EventOf<'trained'>): TrainedRecord {
    const t = new TrainedRecord(this, e);
    // The run's live map stays on the map until the first frame of the projection.
    if (this.training) t.live = { snapshot: this.liveMap, losses: this.training.losses };
    this.dropCodeProjection();
    this.trained = t;
    this.training = null;
    this.liveMap = null;
    return t;
  }

  /** The engine lost the model (TensorFlow.js restarted): it and everything computed from its codes go. */
  loseModel(): void {
    this.trained = null;
    this.dropCodeProjection();
    this.training = null;
    this.liveMap = null;
  }

  /** A training run that failed: nothing was trained. */
  abandonTraining(): void {
    this.training = null;
    this.liveMap = null;
  }
}
