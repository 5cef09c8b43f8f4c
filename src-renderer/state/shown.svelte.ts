/* eslint-disable svelte/prefer-svelte-reactivity -- the sets here are replaced whole inside $state.raw (hidden classes and clusters), never mutated in place */
import { type PointStyle, styleByCategory, styleByValue } from '../map/coloring.js';
import type { ClustersRecord } from './clusters.js';
import type { DatasetRecord } from './dataset.svelte.js';
import type { LiveSnapshot } from './live.js';
import { type ColorBy, MapViewState } from './map-view.svelte.js';
import type { ProjectionRecord } from './projection.js';
import { type CompareChoice, PIXELS_TSNE, type ProjectMethod } from './settings.svelte.js';

/**
 * What the page shows, read down the record chain from its head (the loaded
 * dataset), with the map's view state. Every getter is null or empty as soon
 * as anything upstream is missing: there is nothing to reset.
 */
export class Shown {
  /** The head of the chain; everything downstream hangs from it. */
  dataset = $state.raw<DatasetRecord | null>(null);
  readonly view = new MapViewState(() => this.dataset);

  // The chain, read downstream from the head: each is null when anything upstream is.
  get trained() {
    return this.dataset?.trained ?? null;
  }
  /** The main map, by precedence: the trained model's map of its codes, else … */
  get projection(): ProjectionRecord | null {
    const codes = this.trained?.projection;
    if (codes) return codes;
    // … else the training run's live map (not a projection record: see liveSnapshot), else …
    if (this.liveSnapshot) return null;
    return this.pixelMap;
  }
  /** … else the dataset's own map of its pixels (PCA, computed on load): something to look at before any model. */
  get pixelMap(): ProjectionRecord | null {
    return this.dataset?.pixelMap ?? null;
  }
  /** Whether the main map is of the pixels (the map says so, and how to get the autoencoder's). */
  get showsPixels(): boolean {
    return this.projection !== null && this.projection === this.pixelMap;
  }
  /** What the user chose to show beside the map; the page's settings decide it (nothing, in this base class). */
  protected compareChoice(): CompareChoice {
    return 'none';
  }
  /** The map beside the main one: the pixels' t-SNE when chosen (kept across training), else a map of the codes. */
  get compareProjection(): ProjectionRecord | null {
    const choice = this.compareChoice();
    if (choice === 'none') return null;
    if (choice === PIXELS_TSNE) return this.dataset?.pixelCompare ?? null;
    return this.trained?.compare ?? null;
  }
  get positions(): Float32Array | null {
    return this.projection?.positions ?? this.liveSnapshot?.positions ?? null;
  }
  // Watching the model learn (the live map and per-batch loss of training).
  /**
   * The live map while it is what the map draws (before the pixels): the
   * run's latest, else the one the model ended on until its projection's
   * first frame.
   */
  get liveSnapshot(): LiveSnapshot | null {
    if (this.trained?.projection) return null;
    return this.dataset?.liveMap ?? this.trained?.live?.snapshot ?? null;
  }
  /** The per-batch loss curve: the run under way's, else the one the trained model was trained with. */
  get batchLosses() {
    return this.dataset?.training?.losses ?? this.trained?.live?.losses ?? [];
  }
  get comparePositions(): Float32Array | null {
    return this.compareProjection?.positions ?? null;
  }
  /** The clusters of what is shown: the model's codes once there is a model, else the pixels. */
  get clusters(): ClustersRecord | null {
    return (this.dataset?.trained ? this.dataset.trained.clusters : this.dataset?.clusters) ?? null;
  }
  get labels(): Int32Array {
    return this.dataset?.labels ?? new Int32Array(0);
  }
  get errors(): Float32Array | null {
    return this.trained?.errors ?? null;
  }
  get errorRange(): { lo: number; hi: number } {
    return this.trained?.errorRange ?? { lo: 0, hi: 1 };
  }
  get meanError(): number | null {
    return this.trained?.meanError ?? null;
  }
  get trainedModel() {
    return this.trained?.kind ?? null;
  }
  get trainedCodeSize(): number | null {
    return this.trained?.codeSize ?? null;
  }
  get clusterCounts(): number[] {
    return this.clusters?.counts ?? [];
  }
  get hidden(): ReadonlySet<number> {
    return this.dataset?.hidden ?? new Set();
  }
  set hidden(s: ReadonlySet<number>) {
    if (this.dataset) this.dataset.hidden = s;
  }
  get hiddenClusters(): ReadonlySet<number> {
    return this.clusters?.hidden ?? new Set();
  }
  set hiddenClusters(s: ReadonlySet<number>) {
    this.setClusters(this.clusters?.withHidden(s) ?? null);
  }
  /** The loss curve: the run under way, else the trained model's. */
  get epochLogs() {
    return this.dataset?.training?.epochs ?? this.trained?.epochs ?? [];
  }
  /** Kind whose losses epochLogs holds (the VAE's loss is not a BCE). */
  get lossModel() {
    return this.dataset?.training?.kind ?? this.trained?.kind ?? null;
  }
  /** The method of the projection the engine holds now: exports use it. */
  get engineMethod(): ProjectMethod | null {
    return this.dataset?.engineProjection?.method ?? null;
  }
  /** The projection the engine holds now (exports name it). */
  get engineProjection(): ProjectionRecord | null {
    return this.dataset?.engineProjection ?? null;
  }
  get manifold() {
    return this.trained?.manifold ?? null;
  }
  get noiseLevel(): number {
    return this.trained?.cardNoise ?? 0.5;
  }
  /** The colouring the map shows: the user's choice while its data exists, else labels. */
  get colorBy(): ColorBy {
    const want = this.view.colorBy;
    if (want === 'error' && this.errors) return 'error';
    if (want === 'cluster' && this.clusters) return 'cluster';
    return 'label';
  }
  set colorBy(c: ColorBy) {
    this.view.colorBy = c;
  }

  /** Colours and visibility of every point for the current colouring. */
  readonly style: PointStyle | null = $derived.by(() => {
    const style = this.styleOf(this.colorBy);
    // A live map of a sample (large data) hides the items it does not map.
    const mapped = this.liveSnapshot?.visible;
    if (style && mapped?.length === style.visible.length)
      for (let i = 0; i < mapped.length; i++) if (!mapped[i]) style.visible[i] = 0;
    return style;
  });

  private styleOf(colorBy: ColorBy): PointStyle | null {
    const n = this.labels.length;
    const errors = this.errors;
    const clusters = this.clusters;
    if (colorBy === 'error' && errors?.length === n)
      return styleByValue(errors, this.errorRange.lo, this.errorRange.hi);
    if (colorBy === 'cluster' && clusters?.assignments.length === n)
      return styleByCategory(clusters.assignments, clusters.hidden);
    return n > 0 ? styleByCategory(this.labels, this.hidden) : null;
  }

  /** Points not hidden by a legend toggle. */
  readonly visibleCount = $derived.by(() => {
    const v = this.style?.visible;
    if (!v) return 0;
    let c = 0;
    for (let i = 0; i < v.length; i++) c += v[i];
    return c;
  });

  /** Shows or hides a category (class or cluster, whichever colours the map). */
  toggleClass(c: number): void {
    const flip = (s: ReadonlySet<number>) => {
      const next = new Set(s);
      if (!next.delete(c)) next.add(c);
      return next;
    };
    if (this.colorBy === 'cluster') this.hiddenClusters = flip(this.hiddenClusters);
    else this.hidden = flip(this.hidden);
  }

  /** Puts clusters on the record they belong to (the model, else the dataset). */
  protected setClusters(c: ClustersRecord | null): void {
    if (this.dataset?.trained) this.dataset.trained.clusters = c;
    else if (this.dataset) this.dataset.clusters = c;
  }
}
