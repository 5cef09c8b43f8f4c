import * as THREE from 'three';
import { classColor, hexToRgb } from './palette.js';

/** What a layer of the scatter plot implements; the ScatterPlot owns and drives them. */
export interface Layer {
  setScene(scene: THREE.Scene): void;
  onPositionsChanged(positions: Float32Array): void;
  /** Called before every frame with the current world units per CSS pixel. */
  onRender?(unitsPerPixel: number, pixelRatio: number): void;
  dispose(): void;
}

const VERTEX = /* glsl */ `
  attribute vec3 aColor;
  attribute float aVisible;
  uniform float uSize;
  varying vec3 vColor;
  varying float vVisible;
  void main() {
    vColor = aColor;
    vVisible = aVisible;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
    gl_PointSize = aVisible > 0.5 ? uSize : 0.0;
  }
`;

const FRAGMENT = /* glsl */ `
  uniform float uSize;
  uniform float uOpacity;
  varying vec3 vColor;
  varying float vVisible;
  void main() {
    if (vVisible < 0.5) discard;
    // Round point with a one-pixel anti-aliased edge.
    float r = length(gl_PointCoord * 2.0 - 1.0);
    float edge = 2.0 / max(uSize, 1.0);
    float alpha = 1.0 - smoothstep(1.0 - edge, 1.0, r);
    if (alpha <= 0.0) discard;
    gl_FragColor = vec4(vColor, alpha * uOpacity);
  }
`;

/** All points as one three.js Points object with a round, anti-aliased shader. */
export class PointsLayer implements Layer {
  readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.ShaderMaterial;
  private readonly points: THREE.Points;
  private n = 0;
  private labels: Int32Array = new Int32Array(0);

  constructor() {
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { uSize: { value: 4 }, uOpacity: { value: 0.85 } },
      transparent: true,
      depthTest: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
  }

  setScene(scene: THREE.Scene): void {
    scene.add(this.points);
  }

  onPositionsChanged(positions: Float32Array): void {
    const n = positions.length >> 1;
    let attr = this.geometry.getAttribute('position') as THREE.BufferAttribute | undefined;
    if (!attr || attr.count !== n) {
      attr = new THREE.BufferAttribute(new Float32Array(n * 3), 3);
      attr.setUsage(THREE.DynamicDrawUsage);
      this.geometry.setAttribute('position', attr);
      this.n = n;
      if (this.labels.length !== n) this.setLabels(new Int32Array(n).fill(-1), new Set());
    }
    const a = attr.array as Float32Array;
    for (let i = 0; i < n; i++) {
      a[3 * i] = positions[2 * i];
      a[3 * i + 1] = positions[2 * i + 1];
    }
    attr.needsUpdate = true;
  }

  /** Colours points by class and hides the classes in `hidden`. */
  setLabels(labels: Int32Array, hidden: Set<number>): void {
    this.labels = labels;
    const n = this.n || labels.length;
    const colors = new Float32Array(n * 3);
    const visible = new Float32Array(n);
    const cache = new Map<number, [number, number, number]>();
    for (let i = 0; i < n; i++) {
      const l = labels[i] ?? -1;
      let c = cache.get(l);
      if (!c) cache.set(l, (c = hexToRgb(classColor(l))));
      colors.set(c, 3 * i);
      visible[i] = hidden.has(l) ? 0 : 1;
    }
    this.geometry.setAttribute('aColor', new THREE.BufferAttribute(colors, 3));
    this.geometry.setAttribute('aVisible', new THREE.BufferAttribute(visible, 1));
  }

  onRender(unitsPerPixel: number, pixelRatio: number): void {
    void unitsPerPixel;
    // Smaller points when many share the screen; never below 2 px.
    const base = this.n > 200_000 ? 2.5 : this.n > 20_000 ? 3.5 : this.n > 2_000 ? 5 : 7;
    this.material.uniforms.uSize.value = base * pixelRatio;
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

  constructor(color = '#111111') {
    const geometry = new THREE.RingGeometry(0.75, 1, 32);
    const material = new THREE.MeshBasicMaterial({ color, depthTest: false, transparent: true });
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
    this.mesh.scale.setScalar(8 * unitsPerPixel);
  }

  dispose(): void {
    this.mesh.geometry.dispose();
    (this.mesh.material as THREE.Material).dispose();
  }
}
