import type { ModelDefaults } from './types.js';

/** Epochs when the caller leaves them out and the kind has no step budget (what the UI and CLI always sent). */
export const FALLBACK_EPOCHS = 10;

/**
 * The epochs a run takes when the caller leaves them out: for a kind with a
 * step budget, enough epochs that training takes about `steps` optimiser
 * steps of `batchSize` on `nTrain` images, clamped to [minEpochs, epochs];
 * else FALLBACK_EPOCHS. Why a step budget: code quality follows the number of
 * updates (issue 13), so 1,797 images need many passes and 63,000 need few,
 * and training time then grows slower than the t-SNE that follows it.
 */
export function defaultEpochs(defaults: ModelDefaults, nTrain: number, batchSize: number): number {
  if (!(nTrain >= 1) || !(batchSize >= 1)) throw new Error(`defaultEpochs: nTrain ${nTrain}, batchSize ${batchSize}`);
  if (defaults.steps === undefined) return FALLBACK_EPOCHS;
  const stepsPerEpoch = Math.ceil(nTrain / batchSize);
  const wanted = Math.ceil(defaults.steps / stepsPerEpoch);
  return Math.max(defaults.minEpochs ?? 1, Math.min(defaults.epochs, wanted));
}

/**
 * Learning rate of step `step` (0-based) of `totalSteps`: constant, or cosine
 * decay from `base` to 0 at the last step, which lets the last epochs settle
 * into a minimum instead of jittering around it at the full rate.
 */
export function learningRateAt(defaults: ModelDefaults, base: number, step: number, totalSteps: number): number {
  if (defaults.schedule !== 'cosine' || totalSteps <= 1) return base;
  const t = Math.min(1, Math.max(0, step / (totalSteps - 1)));
  return 0.5 * base * (1 + Math.cos(Math.PI * t));
}
