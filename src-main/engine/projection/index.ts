export { fitPca, pca, pcaAsync, type PcaModel, type PcaOptions, projectPca } from './pca.js';
export { runUmap, UMAP_DEFAULTS, type UmapOptions, type UmapProgress, type UmapResult } from './umap.js';
