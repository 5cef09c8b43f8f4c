import type { ModelDefaults } from './types.js';

/** Epochs when the caller leaves them out and the kind names none of its own (what the UI and CLI always sent). */
export const FALLBACK_EPOCHS = 10;

/**
 * The epochs a run takes when the caller leaves them out: the kind's
 * `autoEpochs` (wide: 1), else FALLBACK_EPOCHS. A fixed number of passes
 * keeps training in proportion to the dataset, as the t-SNE that follows it
 * is (issue 13: training must not take longer than the t-SNE).
 */
export function defaultEpochs(defaults: ModelDefaults): number {
  return defaults.autoEpochs ?? FALLBACK_EPOCHS;
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
