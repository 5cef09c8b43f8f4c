import type { Progress, ProjectParams } from '../../protocol.js';
import { runTsne } from '../tsne/index.js';
import { pca } from './pca.js';
import { runUmap } from './umap.js';

/** What a projection job reports while it runs. */
export interface ProjectionHooks {
  signal?: AbortSignal;
  /** Progress with rate and ETA (the caller throttles). */
  onProgress?: (p: Omit<Progress, 'jobId' | 'stage'>, force?: boolean) => void;
  /** An intermediate embedding, so the map can animate while it converges. */
  onPartial?: (positions: Float32Array, iteration: number, kl?: number) => void;
}

/** The outcome of a projection job, complete or cancelled. */
export interface ProjectionOutcome {
  positions: Float32Array;
  iteration: number;
  cancelled: boolean;
  kl?: number;
}

/** Drops the keys whose value is undefined, so that option defaults apply. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Rate and ETA of an iterative job (or one phase of it) from its start time. */
function rateEta(done: number, total: number, t0: number, rateUnit = 'iterations/s') {
  const rate = done / Math.max((performance.now() - t0) / 1000, 1e-3);
  return { rate, rateUnit, etaSeconds: rate > 0 ? (total - done) / rate : undefined };
}

/** What the map says during each t-SNE phase before the optimisation. */
const TSNE_PHASE_LABEL = {
  knn: 'finding neighbours',
  calibration: 'calibrating perplexity',
  symmetrize: 'symmetrising affinities',
} as const;

/**
 * Projects n×d data to 2-D with the method the parameters name: t-SNE or UMAP
 * (iterative, streaming partial embeddings) or PCA (one shot).
 */
export async function runProjection(
  data: Float32Array,
  n: number,
  d: number,
  params: ProjectParams,
  hooks: ProjectionHooks = {},
): Promise<ProjectionOutcome> {
  const t0 = performance.now();
  switch (params.method) {
    case 'pca':
      return { positions: pca(data, n, d, 2, params.seed ?? 1), iteration: 0, cancelled: false };
    case 'umap': {
      let last = 0;
      const r = await runUmap(
        data,
        n,
        d,
        definedOnly({ nEpochs: params.iterations, seed: params.seed, reportEvery: 10 }),
        {
          signal: hooks.signal,
          onProgress: (p) => {
            if (p.phase === 'neighbors') {
              hooks.onProgress?.({ message: 'UMAP: finding neighbours', done: 0, total: p.epochs }, true);
              return;
            }
            last = p.epoch;
            hooks.onProgress?.({
              message: `UMAP epoch ${p.epoch}/${p.epochs}`,
              done: p.epoch,
              total: p.epochs,
              ...rateEta(p.epoch, p.epochs, t0),
            });
            if (p.embedding) hooks.onPartial?.(p.embedding, p.epoch);
          },
        },
      );
      return { positions: r.embedding, iteration: Math.max(r.epochs, last), cancelled: r.cancelled };
    }
    case 'tsne': {
      let last = 0;
      let phase = '';
      let phaseStart = t0;
      let optimizeStart = t0;
      const r = await runTsne(
        data,
        n,
        d,
        definedOnly({
          perplexity: params.perplexity,
          iterations: params.iterations,
          seed: params.seed,
          reportEvery: 10,
        }),
        {
          signal: hooks.signal,
          onProgress: (p) => {
            // Rate and ETA per phase, each from its own start; a phase's first event always goes through.
            const first = p.phase !== phase;
            if (first) {
              phase = p.phase;
              phaseStart = performance.now();
            }
            if (p.phase !== 'optimize') {
              if (p.phase === 'symmetrize' && p.done === p.total) optimizeStart = performance.now();
              hooks.onProgress?.(
                {
                  message: `t-SNE: ${TSNE_PHASE_LABEL[p.phase]} ${p.done}/${p.total}`,
                  done: p.done,
                  total: p.total,
                  ...rateEta(p.done, p.total, phaseStart, 'points/s'),
                },
                first,
              );
              return;
            }
            last = p.iteration;
            hooks.onProgress?.({
              message: `t-SNE iteration ${p.iteration}/${p.iterations}${p.kl !== undefined ? `, KL ${p.kl.toFixed(3)}` : ''}`,
              done: p.iteration,
              total: p.iterations,
              ...rateEta(p.iteration, p.iterations, optimizeStart),
            });
            if (p.embedding) hooks.onPartial?.(p.embedding, p.iteration, p.kl);
          },
        },
      );
      return { positions: r.embedding, iteration: Math.max(r.iterations, last), cancelled: r.cancelled, kl: r.kl };
    }
  }
}
