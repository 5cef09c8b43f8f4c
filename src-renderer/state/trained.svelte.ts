import { decodeF32, type EpochLog, type ModelKind, type ProjectParams } from '../../src-main/protocol.js';
import type { EventOf } from '../engine-client.js';
import { robustRange } from '../map/coloring.js';
import type { ClustersRecord } from './clusters.js';
import type { DatasetRecord } from './dataset.svelte.js';
import type { LiveView } from './live.js';
import { ProjectionRecord } from './projection.js';

/** The trained VAE's decoded latent plane, as the engine sent it. */
export type ManifoldView = EventOf<'manifold'>;

/** Which map a projection is drawn on: the main one or the linked one beside it. */
export type Slot = 'main' | 'compare';

/**
 * A trained model as the engine reported it: kind, epoch log, code size,
 * errors; it knows the dataset it was trained on. What is computed from its
 * codes (projections, clusters, the VAE's manifold) hangs from it, so a new
 * training run, which replaces this record, takes all of that with it.
 */
export class TrainedRecord {
  readonly kind: ModelKind;
  readonly epochs: readonly EpochLog[];
  readonly codeSize: number;
  /** Mean per-pixel reconstruction error over the dataset. */
  readonly meanError: number;
  /** Per-item reconstruction error, when the engine sent it. */
  readonly errors: Float32Array | null;
  /** The range the error colour scale spans. */
  readonly errorRange: { lo: number; hi: number };
  /** Denoising only: the noise level it was trained with. */
  readonly trainedNoise: number | undefined;
  /** Training stopped early on request; the model is the one so far. */
  readonly cancelled: boolean;

  /** The main map's projection of these codes. */
  projection = $state.raw<ProjectionRecord<TrainedRecord> | null>(null);
  /** The projection shown beside the main one. */
  compare = $state.raw<ProjectionRecord<TrainedRecord> | null>(null);
  /** k-means on these codes. */
  clusters = $state.raw<ClustersRecord | null>(null);
  /** The decoded latent plane, for a VAE with a 2-d code. */
  manifold = $state.raw<ManifoldView | null>(null);
  /** What the training run showed as it learned (its last live map, its per-batch loss); null for a reopened session. */
  live = $state.raw<LiveView | null>(null);
  /** The denoising card's noise level; starts at the level the model was trained with. */
  cardNoise = $state(0.5);

  constructor(
    readonly dataset: DatasetRecord,
    e: EventOf<'trained'>,
  ) {
    this.kind = e.model;
    this.epochs = e.epochs;
    this.codeSize = e.codeSize;
    this.meanError = e.meanError;
    this.errors = e.errors ? decodeF32(e.errors) : null;
    this.errorRange = this.errors ? robustRange(this.errors) : { lo: 0, hi: 1 };
    this.trainedNoise = e.noiseLevel;
    this.cancelled = e.cancelled;
    if (e.noiseLevel !== undefined) this.cardNoise = e.noiseLevel;
  }

  /** Whether the engine can show the VAE's latent plane. */
  get hasManifold(): boolean {
    return this.kind === 'vae' && this.codeSize === 2;
  }

  /** Takes one frame of a projection of these codes into `slot`. */
  project(slot: Slot, e: EventOf<'projection'>, params: ProjectParams | null): ProjectionRecord<TrainedRecord> {
    const p = new ProjectionRecord<TrainedRecord>(this, e, params);
    if (slot === 'main') this.projection = p;
    else this.compare = p;
    // The engine's projection now, unless this model was replaced meanwhile (then the engine refused it).
    if (p.final && this.dataset.trained === this) this.dataset.engineProjection = p;
    return p;
  }

  /** Removes the projection beside the map. */
  dropCompare(): void {
    this.compare = null;
  }
}
