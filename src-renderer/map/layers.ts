import * as THREE from 'three';

/** What a layer of the scatter plot implements; the ScatterPlot owns and drives them. */
export interface Layer {
  setScene(scene: THREE.Scene): void;
  onPositionsChanged(positions: Float32Array): void;
  /** Called before every frame with the current world units per CSS pixel; true asks for another frame. */
  onRender?(unitsPerPixel: number, pixelRatio: number): boolean | void;
  dispose(): void;
}

const VERTEX = /* glsl */ `
  attribute vec3 aColor;
  attribute float aVisible;
  attribute vec2 aPrev;
  uniform float uSize;
  uniform float uMix;
  uniform float uDim;
  varying vec3 vColor;
  varying float vAlpha;
  void main() {
    vColor = aColor;
    // aVisible: 0 hidden, 1 shown, 2 shown and selected (others dim while a selection exists).
    vAlpha = aVisible > 1.5 ? 1.0 : aVisible > 0.5 ? uDim : 0.0;
    vec2 p = mix(aPrev, position.xy, uMix);
    gl_Position = projectionMatrix * modelViewMatrix * vec4(p, 0.0, 1.0);
    gl_PointSize = aVisible > 0.5 ? uSize : 0.0;
  }
`;

const FRAGMENT = /* glsl */ `
  uniform float uSize;
  uniform float uOpacity;
  varying vec3 vColor;
  varying float vAlpha;
  void main() {
    if (vAlpha <= 0.0) discard;
    // Round point with a one-pixel anti-aliased edge.
    float r = length(gl_PointCoord * 2.0 - 1.0);
    float edge = 2.0 / max(uSize, 1.0);
    float alpha = 1.0 - smoothstep(1.0 - edge, 1.0, r);
    if (alpha <= 0.0) discard;
    gl_FragColor = vec4(vColor, alpha * uOpacity * vAlpha);
  }
`;

/**
 * Above this many points, a moving view (pan, zoom, fly) draws this many,
 * a fixed random subset, and the whole set once the view rests: on software
 * WebGL a million points cost seconds per frame.
 */
export const MOVING_DETAIL = 250_000;

/** A fixed pseudo-random permutation of 0..n-1 (Fisher–Yates, seeded). */
function shuffled(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const j = s % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** How long a change of positions takes to animate, in milliseconds. */
export const TRANSITION_MS = 400;

const ease = (t: number) => t * t * (3 - 2 * t);

/**
 * All points as one three.js Points object with a round, anti-aliased
 * shader. Position changes animate on the GPU: the shader mixes the previous
 * and the new positions, so a frame costs no per-point CPU work.
 */
export class PointsLayer implements Layer {
  readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.ShaderMaterial;
  private readonly points: THREE.Points;
  private n = 0;
  private shown: Uint8Array = new Uint8Array(0);
  private selected: Int32Array | null = null;
  private transitionStart = -1;
  /** World units per pixel when the whole map fits the view; zooming in past it grows the points. */
  private fitScale = 0;

  constructor() {
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { uSize: { value: 4 }, uOpacity: { value: 0.85 }, uMix: { value: 1 }, uDim: { value: 1 } },
      transparent: true,
      depthTest: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
  }

  setScene(scene: THREE.Scene): void {
    scene.add(this.points);
  }

  onPositionsChanged(positions: Float32Array, animate = false): void {
    const n = positions.length >> 1;
    let attr = this.geometry.getAttribute('position') as THREE.BufferAttribute | undefined;
    let prev = this.geometry.getAttribute('aPrev') as THREE.BufferAttribute | undefined;
    const resized = !attr || attr.count !== n;
    if (!attr || !prev || resized) {
      attr = new THREE.BufferAttribute(new Float32Array(n * 3), 3);
      attr.setUsage(THREE.DynamicDrawUsage);
      prev = new THREE.BufferAttribute(new Float32Array(n * 2), 2);
      prev.setUsage(THREE.DynamicDrawUsage);
      this.geometry.setAttribute('position', attr);
      this.geometry.setAttribute('aPrev', prev);
      this.n = n;
      // Drawing through a shuffled index lets a prefix of it be a random subset.
      this.geometry.setIndex(n > MOVING_DETAIL ? new THREE.BufferAttribute(shuffled(n), 1) : null);
      this.geometry.setDrawRange(0, Infinity);
      if (this.shown.length !== n) {
        this.setStyle(new Float32Array(n * 3).fill(0.5), new Uint8Array(n).fill(1));
      }
    }
    const a = attr.array as Float32Array;
    const b = prev.array as Float32Array;
    if (animate && !resized) {
      // Start from where the points are drawn now, even mid-transition.
      const m = ease(this.mix());
      for (let i = 0; i < n; i++) {
        b[2 * i] += (a[3 * i] - b[2 * i]) * m;
        b[2 * i + 1] += (a[3 * i + 1] - b[2 * i + 1]) * m;
      }
      this.transitionStart = performance.now();
    } else {
      for (let i = 0; i < 2 * n; i++) b[i] = positions[i];
      this.transitionStart = -1;
    }
    for (let i = 0; i < n; i++) {
      a[3 * i] = positions[2 * i];
      a[3 * i + 1] = positions[2 * i + 1];
    }
    attr.needsUpdate = true;
    prev.needsUpdate = true;
  }

  /** Progress of the running transition in [0, 1] (1 = none running). */
  private mix(): number {
    if (this.transitionStart < 0) return 1;
    const t = (performance.now() - this.transitionStart) / TRANSITION_MS;
    if (t >= 1) this.transitionStart = -1;
    return Math.min(1, t);
  }

  /** Sets per-point colours (n×3 in [0, 1]) and visibility (1 shown, 0 hidden). */
  setStyle(colors: Float32Array, visible: Uint8Array): void {
    this.shown = visible;
    this.writeAttribute('aColor', colors, 3);
    this.writeVisibility();
  }

  /** Dims every point not in `selected` (null = no selection). */
  setSelection(selected: Int32Array | null): void {
    this.selected = selected && selected.length > 0 ? selected : null;
    this.writeVisibility();
  }

  private writeVisibility(): void {
    const n = this.shown.length;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = this.shown[i];
    if (this.selected) for (const i of this.selected) if (i < n && v[i] > 0) v[i] = 2;
    this.material.uniforms.uDim.value = this.selected ? 0.18 : 1;
    this.writeAttribute('aVisible', v, 1);
  }

  /** Reuses the attribute's GPU buffer when the size matches (replacing it would leak the old one). */
  private writeAttribute(name: string, values: Float32Array, itemSize: number): void {
    const old = this.geometry.getAttribute(name) as THREE.BufferAttribute | undefined;
    if (old && old.array.length === values.length) {
      (old.array as Float32Array).set(values);
      old.needsUpdate = true;
    } else {
      this.geometry.setAttribute(name, new THREE.BufferAttribute(values.slice(), itemSize));
    }
  }

  /** Draws a random subset while the view moves (large maps only), everything otherwise. */
  setMoving(moving: boolean): void {
    this.geometry.setDrawRange(0, moving && this.n > MOVING_DETAIL ? MOVING_DETAIL : Infinity);
  }

  /** How many points the selection holds (0 = no selection). */
  get selectedCount(): number {
    return this.selected?.length ?? 0;
  }

  /** Whether point i is drawn (not hidden by a legend toggle). */
  isShown(i: number): boolean {
    return this.shown[i] !== 0;
  }

  /** Tells the layer the zoom at which all points fit, so sizes can follow the zoom. */
  setFitScale(unitsPerPixel: number): void {
    this.fitScale = unitsPerPixel;
  }

  /** Returns true while a transition still needs frames. */
  onRender(unitsPerPixel: number, pixelRatio: number): boolean {
    // Smaller points when many share the screen; never below 2 px.
    const base = this.n > 200_000 ? 2.5 : this.n > 20_000 ? 3.5 : this.n > 2_000 ? 5 : 7;
    // Zoomed in, points spread apart: grow them with the square root of the zoom, up to 4×.
    const zoom = this.fitScale > 0 ? Math.min(4, Math.max(1, Math.sqrt(this.fitScale / unitsPerPixel))) : 1;
    this.material.uniforms.uSize.value = base * zoom * pixelRatio;
    const m = this.mix();
    this.material.uniforms.uMix.value = ease(m);
    return m < 1;
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}

/** A ring around the hovered or pinned point. */
export class HighlightLayer implements Layer {
  private readonly mesh: THREE.Mesh;
  private positions: Float32Array = new Float32Array(0);
  private index = -1;

  private readonly material: THREE.MeshBasicMaterial;

  /** `imageSide`: the side in CSS pixels of the image drawn on each point (0 = dots), which the ring goes around. */
  constructor(
    color = '#111111',
    private readonly imageSide: () => number = () => 0,
  ) {
    const geometry = new THREE.RingGeometry(0.75, 1, 32);
    const material = (this.material = new THREE.MeshBasicMaterial({ color, depthTest: false, transparent: true }));
    this.mesh = new THREE.Mesh(geometry, material);
    this.mesh.visible = false;
    this.mesh.renderOrder = 10;
  }

  setScene(scene: THREE.Scene): void {
    scene.add(this.mesh);
  }

  onPositionsChanged(positions: Float32Array): void {
    this.positions = positions;
    this.place();
  }

  /** Sets the ring's colour (a CSS colour), e.g. when the theme changes. */
  setColor(color: string): void {
    this.material.color.set(color);
  }

  /** Shows the ring on point i, or hides it for -1. */
  setIndex(i: number): void {
    this.index = i;
    this.place();
  }

  private place(): void {
    const i = this.index;
    this.mesh.visible = i >= 0 && 2 * i + 1 < this.positions.length;
    if (this.mesh.visible) this.mesh.position.set(this.positions[2 * i], this.positions[2 * i + 1], 1);
  }

  onRender(unitsPerPixel: number): void {
    // Around the dot, or around the corners of the point's image (half its diagonal, 0.71 sides).
    this.mesh.scale.setScalar(Math.max(8, 0.71 * this.imageSide() + 5) * unitsPerPixel);
  }

  dispose(): void {
    this.mesh.geometry.dispose();
    (this.mesh.material as THREE.Material).dispose();
  }
}
