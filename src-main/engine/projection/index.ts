export { pca, fitPca, projectPca, type PcaModel, type PcaOptions } from './pca.js';
export { runUmap, UMAP_DEFAULTS, type UmapOptions, type UmapProgress, type UmapResult } from './umap.js';
