/**
 * One builder per event that reports a record, so each is shaped in one
 * place whether it comes from a job or from an opened session.
 */
import type { DatasetInfo, EngineEvent, ProjectParams } from '../protocol.js';
import { encodeF32, encodeI32 } from '../protocol.js';
import { classCounts } from './datasets/types.js';
import { DEFAULT_NOISE_LEVEL } from './models/denoising.js';
import type { Clusters, LoadedDataset, Trained } from './state.js';

type Event<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** What front ends are told about a loaded dataset. */
export function datasetInfo({ dataset: ds, source }: LoadedDataset): DatasetInfo {
  return {
    name: ds.name,
    source,
    format: ds.format,
    n: ds.n,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classNames: ds.classNames,
    classCounts: classCounts(ds),
    hasFiles: ds.files !== null,
    skipped: ds.skipped,
    notes: ds.notes ?? [],
    fromCache: ds.fromCache === true,
    labels: encodeI32(ds.labels),
  };
}

/** `datasetLoaded`: a new chain's head. */
export function datasetLoadedEvent(jobId: string, loaded: LoadedDataset): Event<'datasetLoaded'> {
  return { type: 'datasetLoaded', jobId, info: datasetInfo(loaded) };
}

/** `trained`: a model, its per-item errors and (denoising) the noise level it was trained with. */
export function trainedEvent(jobId: string, trained: Trained, cancelled: boolean): Event<'trained'> {
  const { model, params } = trained;
  return {
    type: 'trained',
    jobId,
    model: model.kind,
    epochs: [...trained.epochs],
    cancelled,
    codeSize: model.codeSize,
    ...(model.kind === 'denoising' ? { noiseLevel: params.noiseLevel ?? DEFAULT_NOISE_LEVEL } : {}),
    meanError: trained.meanError,
    errors: encodeF32(trained.errors),
  };
}

/** How far a projection got: partial (streamed while it runs) or final; the event's own fields. */
export type ProjectionStatus = Pick<
  Extract<EngineEvent, { type: 'projection' }>,
  'iteration' | 'final' | 'cancelled' | 'kl' | 'seconds' | 'metrics' | 'input'
>;

/** `projection`: positions of a running, finished or reopened projection. */
export function projectionEvent(
  jobId: string,
  method: ProjectParams['method'],
  positions: Float32Array,
  status: ProjectionStatus,
): Event<'projection'> {
  return { type: 'projection', jobId, method, positions: encodeF32(positions), ...status };
}

/** `clusters`: a k-means result and what it was computed on. */
export function clustersEvent(jobId: string, clusters: Clusters, seconds: number): Event<'clusters'> {
  return {
    type: 'clusters',
    jobId,
    k: clusters.sizes.length,
    assignments: encodeI32(clusters.assignments),
    sizes: [...clusters.sizes],
    input: clusters.input.kind === 'trained' ? 'codes' : 'pixels',
    seconds,
  };
}

/** `trainSnapshot`: the live map of a training run under way. */
export function trainSnapshotEvent(
  jobId: string,
  at: { epoch: number; endOfEpoch: boolean },
  positions: Float32Array,
  items: Int32Array | null,
  seconds: number,
): Event<'trainSnapshot'> {
  return {
    type: 'trainSnapshot',
    jobId,
    epoch: at.epoch,
    endOfEpoch: at.endOfEpoch,
    positions: encodeF32(positions),
    ...(items ? { items: encodeI32(items) } : {}),
    seconds,
  };
}
