import { decodeF32, type ProjectionMetrics, type ProjectParams } from '../../src-main/protocol.js';
import type { EventOf } from '../engine-client.js';

/** The record a projection was computed from: a trained model (its codes) or a dataset (its pixels). */
export type ProjectionInput = object;

/**
 * One frame of a projection, immutable: a streaming t-SNE replaces it with
 * the next frame, the final one stays. It knows the record whose data it
 * maps (a trained model's codes, or a dataset's pixels), so a projection of
 * other data cannot pass for this one.
 */
export class ProjectionRecord<Input extends ProjectionInput = ProjectionInput> {
  readonly method: ProjectParams['method'];
  /** What it maps: the model's codes or the pixels. */
  readonly of: 'codes' | 'pixels';
  /** The parameters the page asked for; null for a projection a session restored. */
  readonly params: ProjectParams | null;
  /** n×2 positions, row-major. */
  readonly positions: Float32Array;
  readonly iteration: number;
  readonly kl?: number;
  readonly seconds?: number;
  /** False while the engine is still streaming frames of this run. */
  readonly final: boolean;
  readonly cancelled: boolean;
  readonly metrics?: ProjectionMetrics;

  constructor(
    readonly input: Input,
    e: EventOf<'projection'>,
    params: ProjectParams | null,
  ) {
    this.method = e.method;
    this.of = params?.input ?? e.input ?? 'codes';
    this.params = params;
    this.positions = decodeF32(e.positions);
    this.iteration = e.iteration;
    this.kl = e.kl;
    this.seconds = e.seconds;
    this.final = e.final;
    this.cancelled = e.cancelled ?? false;
    this.metrics = e.metrics;
    Object.freeze(this);
  }
}
