import type { ModelKind } from '../../protocol.js';
import { buildConv } from './conv.js';
import { buildDeep } from './deep.js';
import { buildDenoising } from './denoising.js';
import { buildSeq2seq } from './seq2seq.js';
import { buildSimple } from './simple.js';
import { buildSparse } from './sparse.js';
import type { Autoencoder, BuildOptions } from './types.js';
import { buildVae } from './vae.js';
import { buildWide } from './wide.js';

export type { Autoencoder, BuildOptions, LossOptions, ModelDefaults } from './types.js';

/** One builder per kind; each is a pure function of the options. */
export const BUILDERS: Readonly<Record<ModelKind, (o: BuildOptions) => Autoencoder>> = Object.freeze({
  simple: buildSimple,
  sparse: buildSparse,
  deep: buildDeep,
  conv: buildConv,
  denoising: buildDenoising,
  seq2seq: buildSeq2seq,
  vae: buildVae,
  wide: buildWide,
});

/**
 * Builds an untrained autoencoder of the given kind for images of the given
 * size and channel count. Backend-agnostic: never asks which backend runs.
 */
export function buildAutoencoder(kind: ModelKind, opts: BuildOptions): Autoencoder {
  const build = BUILDERS[kind];
  if (!build) throw new Error(`unknown autoencoder kind "${kind}"`);
  return build(opts);
}
