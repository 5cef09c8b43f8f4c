import type { SessionView } from '../../protocol.js';
import { loadDataset } from '../datasets/index.js';
import { datasetLoadedEvent, projectionEvent, trainedEvent } from '../events.js';
import { datasetFingerprint, readSession, writeSession } from '../export/session.js';
import { ModelMismatchError, modelWeights, restoreModel } from '../export/session-model.js';
import { type LoadedDataset, type Projection, sessionState, type Trained } from '../state.js';
import { type JobContext, needLoaded } from './context.js';

/** Saves the current chain (dataset reference, model, codes, projection) and the page's view, atomically. */
export async function saveSessionJob(ctx: JobContext, requestId: string, file: string, view?: SessionView) {
  const { loaded, trained, projection } = { ...ctx.state, loaded: needLoaded(ctx.state) };
  const { dataset: ds, source } = loaded;
  const bytes = await writeSession(file, {
    dataset: {
      // A folder is stored by its absolute path, so the session opens from anywhere.
      source: source.kind === 'folder' ? { ...source, path: ds.source } : source,
      name: ds.name,
      n: ds.n,
      height: ds.height,
      width: ds.width,
      channels: ds.channels,
      fingerprint: datasetFingerprint(ds),
    },
    model: trained
      ? {
          kind: trained.model.kind,
          codeSize: trained.model.codeSize,
          params: trained.params,
          epochs: [...trained.epochs],
          meanError: trained.meanError,
          weights: await modelWeights(trained.model),
        }
      : null,
    codes: trained?.codes ?? null,
    errors: trained?.errors ?? null,
    projection: projection
      ? {
          method: projection.method,
          positions: projection.positions,
          ...(projection.params ? { params: projection.params } : {}),
        }
      : null,
    view: view ?? null,
  });
  ctx.emit({ type: 'sessionSaved', requestId, path: file, bytes });
}

/**
 * Reopens a session: reads and checks the whole file, reloads its dataset
 * and checks it is the same data, rebuilds the model, and only then
 * replaces the state with the session's chain, so a bad file or a changed
 * dataset changes nothing.
 */
export async function openSessionJob(ctx: JobContext, jobId: string, file: string, signal: AbortSignal) {
  const s = await readSession(file);
  const report = ctx.progress(jobId, 'load');
  const ds = await loadDataset(s.dataset.source, {
    signal,
    onProgress: (done, total) => report({ message: `loading the session's dataset: ${done}/${total}`, done, total }),
  });
  if (ds.n !== s.dataset.n || datasetFingerprint(ds) !== s.dataset.fingerprint)
    throw new Error(
      `${file}: the dataset ${s.dataset.name} (${ds.source}) has changed since the session was saved; it cannot be reopened on different images`,
    );
  const loaded: LoadedDataset = Object.freeze({ kind: 'dataset', dataset: ds, source: s.dataset.source });
  let trained: Trained | null = null;
  const { model, dropped } = s.model ? await restored(ctx, s.model, ds) : { model: null, dropped: null };
  if (s.model && model) {
    try {
      // Sessions written without codes or errors get them recomputed from the model.
      const codes = s.codes ?? (await model.encode(ds, undefined, { signal }));
      const errors = s.errors ?? (await model.reconstructionErrors(ds, { signal }));
      trained = Object.freeze({
        kind: 'trained',
        loaded,
        model,
        codes,
        errors,
        params: s.model.params,
        epochs: Object.freeze(s.model.epochs),
        meanError: s.model.meanError,
      });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  const params = s.projection?.params ?? null;
  // A map of codes whose model could not be rebuilt is not shown as a map of the pixels.
  const mapLost = dropped !== null && params?.input !== 'pixels';
  const projection: Projection | null =
    s.projection && !mapLost
      ? Object.freeze({
          kind: 'projection',
          // Of the pixels if it was run on them, or if there is no model whose codes it could show.
          input: params?.input === 'pixels' || !trained ? loaded : trained,
          method: s.projection.method,
          params,
          positions: s.projection.positions,
          metrics: null,
        })
      : null;
  ctx.commit(sessionState(loaded, trained, projection));
  ctx.emit(datasetLoadedEvent(jobId, loaded));
  if (trained) ctx.emit(trainedEvent(jobId, trained, false));
  if (projection)
    ctx.emit(
      projectionEvent(jobId, projection.method, projection.positions, {
        iteration: 0,
        final: true,
        input: projection.input.kind === 'dataset' ? 'pixels' : 'codes',
      }),
    );
  if (dropped)
    ctx.emit({
      type: 'log',
      jobId,
      level: 'warn',
      message:
        `${file}: reopened the dataset${projection ? ' and the map of its pixels' : ''} without the model: ${dropped}. ` +
        `Train again to get a model${s.projection && !projection ? ' and its map' : ''}; the session file is unchanged.`,
    });
  ctx.emit({ type: 'sessionOpened', jobId, path: file, view: s.view });
}

/** The session's model rebuilt, or no model and why, when its weights do not fit what this version builds. */
async function restored(
  ctx: JobContext,
  stored: NonNullable<Awaited<ReturnType<typeof readSession>>['model']>,
  ds: LoadedDataset['dataset'],
) {
  await ctx.backend();
  try {
    return { model: restoreModel(stored, ds), dropped: null };
  } catch (e) {
    if (!(e instanceof ModelMismatchError)) throw e;
    return { model: null, dropped: e.message };
  }
}
