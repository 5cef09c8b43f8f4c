import type { ModelKind, ProjectParams } from '../src-main/protocol.js';
import type { ProjectMethod } from './state/settings.svelte.js';

/** What the side panel calls each model kind. */
export const MODEL_NAMES: Record<ModelKind, string> = {
  simple: 'Simple fully-connected',
  sparse: 'Sparse',
  deep: 'Deep fully-connected',
  wide: 'Wide fully-connected, linear code',
  conv: 'Deep convolutional',
  denoising: 'Denoising',
  seq2seq: 'Sequence-to-sequence (LSTM)',
  vae: 'Variational',
};

/** The projection methods the engine runs, with their display names. */
export const METHODS: readonly { id: ProjectMethod; name: string }[] = [
  { id: 'tsne', name: 't-SNE' },
  { id: 'pca', name: 'PCA' },
  { id: 'umap', name: 'UMAP' },
];

/** Display name of a projection method id. */
export const methodName = (m: string | null | undefined): string => METHODS.find((x) => x.id === m)?.name ?? m ?? '';

/** A map's name, saying what it maps: 't-SNE of the codes', 'PCA of the pixels', 't-SNE of the pixels (PCA-50)'. */
export function projectionName(p: {
  method: string;
  of: 'codes' | 'pixels';
  params: Pick<ProjectParams, 'pcaComponents'> | null;
}): string {
  if (p.of !== 'pixels') return `${methodName(p.method)} of the codes`;
  const reduced = p.params?.pcaComponents ? ` (PCA-${p.params.pcaComponents})` : '';
  return `${methodName(p.method)} of the pixels${reduced}`;
}
