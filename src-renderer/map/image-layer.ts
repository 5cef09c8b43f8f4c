import * as THREE from 'three';

import { MAX_THUMBNAILS } from '../../src-main/protocol.js';
import { AtlasSlots } from './atlas-slots.js';
import { type ImagePlan, planImages, TILE_SIDES, type TileSide } from './image-plan.js';
import type { Layer } from './layers.js';
import type { View } from './viewport.js';

/** Thumbnails of some items as the engine sends them: HWC bytes, one after another. */
export interface ThumbnailBatch {
  indices: number[];
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** Fetches thumbnails of at most MAX_THUMBNAILS items, at most `maxSide` pixels a side; one per dataset. */
export type ThumbnailSource = (indices: number[], maxSide: number) => Promise<ThumbnailBatch>;

/** What the layer needs from the plot that owns it. */
export interface ImageHost {
  view(): { view: Readonly<View>; width: number; height: number };
  isShown(i: number): boolean;
  requestRender(): void;
}

/** Slots per atlas: 4,096 tiles of 16 px (4 MiB) and 2,048 of 32 px (8 MiB), 12 MiB in all, whatever the data. */
export const ATLAS_SLOTS: Record<TileSide, number> = { 16: 4096, 32: 2048 };
/**
 * A new plan waits until the view or the positions have rested this long (a
 * pan moves the images with the camera, no plan needed), or at most
 * REPLAN_MAX_WAIT_MS while they keep changing (a streaming t-SNE).
 */
const REPLAN_MS = 150;
const REPLAN_MAX_WAIT_MS = 1000;
/** Most images one plan draws (the plan's own limit is lower): the attribute buffers' fixed size. */
const MAX_DRAWN = 2048;

const VERTEX = /* glsl */ `
  attribute vec2 aSlot;
  attribute vec3 aColor;
  uniform float uSize;
  varying vec2 vSlot;
  varying vec3 vColor;
  void main() {
    vSlot = aSlot;
    vColor = aColor;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position.xy, 0.0, 1.0);
    gl_PointSize = uSize;
  }
`;

const FRAGMENT = /* glsl */ `
  uniform sampler2D uAtlas;
  uniform vec2 uImage;
  uniform vec2 uBox;
  uniform float uBorder;
  varying vec2 vSlot;
  varying vec3 vColor;
  void main() {
    // The image keeps its aspect ratio inside the square sprite; a frame in the point's colour keeps the class visible.
    vec2 q = (gl_PointCoord - 0.5 * (1.0 - uBox)) / uBox;
    if (q.x < 0.0 || q.y < 0.0 || q.x > 1.0 || q.y > 1.0) discard;
    vec2 b = uBorder / uBox;
    if (q.x < b.x || q.y < b.y || q.x > 1.0 - b.x || q.y > 1.0 - b.y) {
      gl_FragColor = vec4(vColor, 1.0);
      return;
    }
    vec2 inner = (q - b) / (1.0 - 2.0 * b);
    gl_FragColor = vec4(texture2D(uAtlas, vSlot + inner * uImage).rgb, 1.0);
  }
`;

/** One atlas: its slots and the texture they live in. */
interface Atlas {
  slots: AtlasSlots;
  data: Uint8Array;
  texture: THREE.DataTexture;
  /** The thumbnails' size in this atlas (the dataset's aspect), known after the first batch. */
  image: { width: number; height: number } | null;
}

/**
 * Thumbnails on the map: every point of a zoomed-in view as its image, or one
 * representative per crowded cell of a zoomed-out one (see image-plan.ts), as
 * point sprites sampled from a texture atlas per level of detail. The atlas
 * fills lazily with what the view shows, in batches of MAX_THUMBNAILS, and
 * evicts the least recently used items, so its memory is fixed.
 */
export class ImageLayer implements Layer {
  private readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.ShaderMaterial;
  private readonly sprites: THREE.Points;
  private readonly atlases: Record<TileSide, Atlas>;
  private positions: Float32Array = new Float32Array(0);
  private colors: Float32Array | null = null;
  private source: ThumbnailSource | null = null;
  private enabled = true;
  private current: ImagePlan | null = null;
  private planKey = '';
  private pixelRatio = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the first change still waiting for a plan came. */
  private waitingSince = -1;
  private fetching = false;
  /** Milliseconds the last plan took (one pass over the points; for the bench). */
  lastPlanMs = 0;
  /** Images drawn by the last rebuild. */
  private drawn = new Int32Array(0);

  constructor(private readonly host: ImageHost) {
    this.atlases = Object.fromEntries(TILE_SIDES.map((t) => [t, makeAtlas(ATLAS_SLOTS[t], t)])) as Record<
      TileSide,
      Atlas
    >;
    this.geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(MAX_DRAWN * 3), 3));
    this.geometry.setAttribute('aSlot', new THREE.BufferAttribute(new Float32Array(MAX_DRAWN * 2), 2));
    this.geometry.setAttribute('aColor', new THREE.BufferAttribute(new Float32Array(MAX_DRAWN * 3), 3));
    this.geometry.setDrawRange(0, 0);
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: {
        uAtlas: { value: this.atlases[16].texture },
        uSize: { value: 16 },
        uImage: { value: new THREE.Vector2(1, 1) },
        uBox: { value: new THREE.Vector2(1, 1) },
        uBorder: { value: 0.05 },
      },
      depthTest: false,
      // In three.js's transparent pass with the points, so renderOrder draws the images over them.
      transparent: true,
    });
    this.sprites = new THREE.Points(this.geometry, this.material);
    this.sprites.frustumCulled = false;
    this.sprites.renderOrder = 5;
  }

  setScene(scene: THREE.Scene): void {
    scene.add(this.sprites);
  }

  onPositionsChanged(positions: Float32Array): void {
    this.positions = positions;
    // The planned images follow their points at once; what to draw is planned again once they rest.
    this.rebuild();
    this.schedule();
  }

  /** The points' colours (n×3 in [0, 1]) for the frames; visibility may have changed with them. */
  setColors(colors: Float32Array): void {
    this.colors = colors;
    this.schedule();
  }

  /** Where thumbnails come from (one source per dataset: a new one empties the atlases), or null for none. */
  setSource(source: ThumbnailSource | null): void {
    if (source === this.source) return;
    this.source = source;
    for (const a of Object.values(this.atlases)) {
      a.slots.clear();
      a.image = null;
    }
    this.current = null;
    this.rebuild();
    this.schedule();
  }

  /** Shows or hides the images (the toolbar's toggle). */
  setEnabled(on: boolean): void {
    if (on === this.enabled) return;
    this.enabled = on;
    this.sprites.visible = on;
    this.schedule();
  }

  /** The last plan and what of it is drawn (items whose thumbnails have arrived), for tests and the status line. */
  get state(): { mode: ImagePlan['mode']; displayPx: number; tile: number; drawn: number[]; planned: number } {
    const p = this.current;
    return {
      mode: this.enabled && p ? p.mode : 'none',
      displayPx: p?.displayPx ?? 0,
      tile: p?.tile ?? 0,
      drawn: this.enabled ? Array.from(this.drawn) : [],
      planned: p?.items.length ?? 0,
    };
  }

  /**
   * Side of the images drawn one per point now, CSS pixels (0 when none are,
   * or only representatives): rings frame a point's image when it has one.
   */
  get itemSide(): number {
    const p = this.current;
    return this.enabled && this.drawn.length > 0 && p?.mode === 'items' ? p.displayPx : 0;
  }

  /** Bytes the atlases hold (fixed when the layer is made). */
  get atlasBytes(): number {
    return Object.values(this.atlases).reduce((s, a) => s + a.slots.bytes, 0);
  }

  onRender(_unitsPerPixel: number, pixelRatio: number): void {
    const { view, width, height } = this.host.view();
    const key = `${view.cx},${view.cy},${view.scale},${width},${height},${pixelRatio}`;
    if (key !== this.planKey) {
      this.planKey = key;
      this.pixelRatio = pixelRatio;
      this.schedule();
    }
    this.material.uniforms.uSize.value = (this.current?.displayPx ?? 0) * pixelRatio;
  }

  /** A new plan once changes rest for REPLAN_MS, or REPLAN_MAX_WAIT_MS after the first of them. */
  private schedule(): void {
    const now = performance.now();
    if (this.waitingSince < 0) this.waitingSince = now;
    if (this.timer) {
      if (now - this.waitingSince > REPLAN_MAX_WAIT_MS) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.waitingSince = -1;
      this.replan();
    }, REPLAN_MS);
  }

  private replan(): void {
    const n = this.positions.length >> 1;
    if (!this.enabled || !this.source || n === 0 || (this.colors && this.colors.length !== 3 * n)) {
      this.current = null;
      this.rebuild();
      return;
    }
    const { view, width, height } = this.host.view();
    const t0 = performance.now();
    const plan = planImages({
      positions: this.positions,
      isShown: (i) => this.host.isShown(i),
      view,
      width,
      height,
      pixelRatio: this.pixelRatio,
    });
    this.lastPlanMs = performance.now() - t0;
    this.current = plan;
    this.atlases[plan.tile].slots.touch(plan.items);
    this.rebuild();
    void this.fetchMissing();
  }

  /** Fetches the planned items no slot holds, one batch at a time, until the current plan is complete. */
  private async fetchMissing(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      for (;;) {
        const plan = this.current;
        const source = this.source;
        if (!plan || !source) break;
        const atlas = this.atlases[plan.tile];
        const missing = atlas.slots.missing(plan.items).slice(0, MAX_THUMBNAILS);
        if (missing.length === 0) break;
        const batch = await source(missing, plan.tile);
        // Another dataset meanwhile: these images are of items that no longer exist.
        if (source !== this.source) break;
        this.write(atlas, batch, new Set(this.current?.tile === plan.tile ? this.current.items : plan.items));
        this.rebuild();
      }
    } catch {
      // The engine refused (e.g. its dataset changed under this one); the next view change asks again.
    } finally {
      this.fetching = false;
    }
  }

  /** Copies a batch into atlas slots (never evicting what `keep` holds) and uploads the touched tile rows. */
  private write(atlas: Atlas, batch: ThumbnailBatch, keep: ReadonlySet<number>): void {
    const { height: h, width: w, channels: ch, pixels } = batch;
    atlas.image = { width: w, height: h };
    const { slots, data } = atlas;
    const rowBytes = slots.width * 4;
    const rows = new Set<number>();
    batch.indices.forEach((item, k) => {
      const s = slots.assign(item, keep);
      if (s < 0) return;
      const { x, y } = slots.place(s);
      rows.add(y);
      const src = k * w * h * ch;
      for (let r = 0; r < h; r++)
        for (let c = 0; c < w; c++) {
          const i = src + (r * w + c) * ch;
          const o = (y + r) * rowBytes + (x + c) * 4;
          const v = pixels[i];
          data[o] = v;
          data[o + 1] = ch >= 3 ? pixels[i + 1] : v;
          data[o + 2] = ch >= 3 ? pixels[i + 2] : v;
          data[o + 3] = 255;
        }
    });
    // Only the rows of tiles that changed go to the GPU, not the whole atlas; three.js uploads
    // each range as one row of pixels, so a range may not span two rows.
    for (const y of rows)
      for (let r = 0; r < slots.tile; r++) atlas.texture.addUpdateRange((y + r) * rowBytes, rowBytes);
    atlas.texture.needsUpdate = true;
  }

  /** Fills the sprite buffers with the planned items whose thumbnails have arrived. */
  private rebuild(): void {
    const plan = this.current;
    const atlas = plan ? this.atlases[plan.tile] : null;
    if (!plan || !atlas?.image) {
      this.drawn = new Int32Array(0);
      this.geometry.setDrawRange(0, 0);
      this.host.requestRender();
      return;
    }
    const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
    const slot = this.geometry.getAttribute('aSlot') as THREE.BufferAttribute;
    const col = this.geometry.getAttribute('aColor') as THREE.BufferAttribute;
    const p = pos.array as Float32Array;
    const s = slot.array as Float32Array;
    const c = col.array as Float32Array;
    const { slots } = atlas;
    const drawn: number[] = [];
    for (const i of plan.items) {
      const at = slots.slotOf(i);
      // Positions of another length (a new map) until the next plan: its items may not exist.
      if (at < 0 || drawn.length >= MAX_DRAWN || 2 * i + 1 >= this.positions.length) continue;
      const k = drawn.length;
      const { x, y } = slots.place(at);
      p[3 * k] = this.positions[2 * i];
      p[3 * k + 1] = this.positions[2 * i + 1];
      s[2 * k] = x / slots.width;
      s[2 * k + 1] = y / slots.height;
      for (let t = 0; t < 3; t++) c[3 * k + t] = this.colors?.[3 * i + t] ?? 0.5;
      drawn.push(i);
    }
    this.drawn = Int32Array.from(drawn);
    pos.needsUpdate = slot.needsUpdate = col.needsUpdate = true;
    this.geometry.setDrawRange(0, drawn.length);
    const { width: w, height: h } = atlas.image;
    const u = this.material.uniforms;
    u.uAtlas.value = atlas.texture;
    (u.uImage.value as THREE.Vector2).set(w / slots.width, h / slots.height);
    (u.uBox.value as THREE.Vector2).set(w / Math.max(w, h), h / Math.max(w, h));
    // A frame of about one and a half CSS pixels, whatever the image's size.
    u.uBorder.value = Math.min(0.12, 1.5 / Math.max(1, plan.displayPx));
    this.host.requestRender();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.source = null;
    this.geometry.dispose();
    this.material.dispose();
    for (const a of Object.values(this.atlases)) a.texture.dispose();
  }
}

function makeAtlas(slots: number, tile: TileSide): Atlas {
  const s = new AtlasSlots(slots, tile);
  const data = new Uint8Array(s.width * s.height * 4);
  const texture = new THREE.DataTexture(data, s.width, s.height, THREE.RGBAFormat, THREE.UnsignedByteType);
  // Nearest: the thumbnails show their pixels, as the card and the selection do.
  texture.magFilter = THREE.NearestFilter;
  texture.minFilter = THREE.NearestFilter;
  texture.generateMipmaps = false;
  texture.needsUpdate = true;
  return { slots: s, data, texture, image: null };
}
