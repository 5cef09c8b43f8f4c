import {
  type CsvColumn,
  type DatasetInfo,
  type DatasetSource,
  DEFAULT_MODEL_KIND,
  type ModelKind,
  type ProjectParams,
  type TrainParams,
} from '../../src-main/protocol.js';
import { recentFolders } from '../recent-folders.js';

/** A projection method the engine offers. */
export type ProjectMethod = ProjectParams['method'];

/** The comparison option that maps the pixels (t-SNE of their PCA-50) rather than the codes. */
export const PIXELS_TSNE = 'pixels-tsne';
/** Components the pixels are reduced to before their t-SNE, as the references do. */
export const PIXELS_PCA = 50;
/** What the map beside the main one shows: nothing, a method on the codes, or t-SNE of the pixels. */
export type CompareChoice = ProjectMethod | 'none' | typeof PIXELS_TSNE;

/** A kind-specific parameter the engine takes (0 to 1); an empty field (null) leaves the model's default. */
const inUnit = (v: number | null | undefined): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/**
 * The side panel's form: what the user asks for next, as opposed to what the
 * engine has (the record chain). A session stores it as part of its view.
 * Nothing here says whether a dataset is loaded or a model trained.
 */
export class Settings {
  /** Where the dataset comes from: the bundled MNIST or a folder on the engine's machine. */
  sourceKind = $state<'mnist' | 'folder'>('mnist');
  /** Images to load from the MNIST default. */
  subset = $state(5000);
  folderPath = $state('');
  /** Folder option: the size images are brought to; null = the most common size. */
  folderSize = $state<{ width: number; height: number } | null>(null);
  /** Folder option: convert colour images to grayscale. */
  forceGray = $state(false);
  /** Folders loaded before (this browser's memory), most recent first. */
  recentFolders = $state<string[]>(recentFolders());
  model = $state<ModelKind>(DEFAULT_MODEL_KIND);
  /** Null leaves the model's default: 1 for wide (models/recipe.ts), 10 for the tutorial kinds. */
  epochs = $state<number | null>(null);
  /** Batch size; null lets the engine choose from the model's default and the dataset's size. */
  batchSize = $state<number | null>(null);
  /** Code (latent) size; null takes the model's default (fixed by the architecture for the conv kinds). */
  codeSize = $state<number | null>(null);
  /** Adam's learning rate; null takes the model's default. */
  learningRate = $state<number | null>(null);
  /** Denoising only: training noise level, 0–1; null = the model's default (0.5). */
  trainingNoise = $state<number | null>(null);
  /** Sparse only: L1 weight of the code penalty, 0–1; null = the model's default (1e-4). */
  l1 = $state<number | null>(null);
  /** The method of the main map. */
  method = $state<ProjectMethod>('tsne');
  perplexity = $state(30);
  /** A second projection shown beside the main one, linked by hover and selection. */
  compareMethod = $state<CompareChoice>('none');
  kmeansK = $state(10);
  /** Optional columns the CSV exports add (when the data for them exists). */
  csvColumns = $state<CsvColumn[]>([]);

  /** What to load: the MNIST subset or the typed folder. */
  source(): DatasetSource {
    return this.sourceKind === 'folder'
      ? {
          kind: 'folder',
          path: this.folderPath.trim(),
          ...(this.folderSize ? { size: { ...this.folderSize } } : {}),
          ...(this.forceGray ? { grayscale: true } : {}),
        }
      : { kind: 'mnist', limit: this.subset };
  }

  /** Whether `loaded` is what the form asks for (else Train & project loads it first). */
  matches(loaded: DatasetInfo | null): boolean {
    const s = loaded?.source;
    if (!s) return false;
    const want = this.source();
    if (want.kind === 'mnist') return s.kind === 'mnist' && loaded.n === this.subset;
    return (
      s.kind === 'folder' &&
      s.path === want.path &&
      JSON.stringify([s.size ?? null, s.grayscale ?? false]) ===
        JSON.stringify([want.size ?? null, want.grayscale ?? false])
    );
  }

  /** The training run the form asks for. */
  trainParams(): TrainParams {
    return {
      model: this.model,
      ...(this.epochs && this.epochs > 0 ? { epochs: Math.round(this.epochs) } : {}),
      ...(this.batchSize && this.batchSize > 0 ? { batchSize: Math.round(this.batchSize) } : {}),
      ...(this.codeSize && this.codeSize > 0 ? { codeSize: Math.round(this.codeSize) } : {}),
      ...(this.learningRate && this.learningRate > 0 ? { learningRate: this.learningRate } : {}),
      ...(this.model === 'denoising' && inUnit(this.trainingNoise) ? { noiseLevel: this.trainingNoise } : {}),
      ...(this.model === 'sparse' && inUnit(this.l1) ? { l1: this.l1 } : {}),
    };
  }

  /** The first map of a dataset: PCA of its pixels (half a second for 10,000 MNIST images). */
  pixelMapParams(): ProjectParams {
    return { method: 'pca', input: 'pixels' };
  }

  /** t-SNE of the pixels' PCA-50 at the form's perplexity (clamped as for the codes), to compare with. */
  pixelTsneParams(n: number): { params: ProjectParams; note?: string } {
    const { params, note } = this.projectParams('tsne', n);
    return { params: { ...params, input: 'pixels', pcaComponents: PIXELS_PCA }, note };
  }

  /**
   * The projection the form asks for, of `n` points. t-SNE needs
   * 3·perplexity ≤ n − 1: small datasets get the largest perplexity that
   * fits, and `note` says so.
   */
  projectParams(method: ProjectMethod, n: number): { params: ProjectParams; note?: string } {
    if (method !== 'tsne') return { params: { method, input: 'codes' } };
    const most = Math.floor((n - 1) / 3);
    if (this.perplexity > most && most >= 2)
      return {
        params: { method, perplexity: most, input: 'codes' },
        note: `perplexity ${this.perplexity} is too large for ${n} points; using ${most}`,
      };
    return { params: { method, perplexity: this.perplexity, input: 'codes' } };
  }
}
