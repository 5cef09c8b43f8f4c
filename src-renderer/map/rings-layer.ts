import * as THREE from 'three';

import type { Layer } from './layers.js';

const VERTEX = /* glsl */ `
  uniform float uSize;
  void main() {
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position.xy, 0.0, 1.0);
    gl_PointSize = uSize;
  }
`;

const FRAGMENT = /* glsl */ `
  uniform vec3 uColor;
  uniform float uSize;
  void main() {
    // A ring two pixels wide at the sprite's edge, anti-aliased.
    float r = length(gl_PointCoord * 2.0 - 1.0) * uSize * 0.5;
    float outer = uSize * 0.5;
    float a = smoothstep(outer - 3.5, outer - 2.5, r) * (1.0 - smoothstep(outer - 1.0, outer, r));
    if (a <= 0.0) discard;
    gl_FragColor = vec4(uColor, a);
  }
`;

/**
 * Rings around a set of points (the pinned point's nearest neighbours), one
 * draw call whatever their number; they follow the points and keep their
 * size on screen. Drawn above the images, so a ringed thumbnail stays marked.
 */
export class RingsLayer implements Layer {
  private readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.ShaderMaterial;
  private readonly points: THREE.Points;
  private positions: Float32Array = new Float32Array(0);
  private indices: readonly number[] = [];
  /**
   * `imageSide` is the side of the images drawn one per point under the
   * rings (0 = none), in CSS pixels, so a ring frames its image;
   * `requestRender` asks the owner for a frame when the rings change.
   */
  constructor(
    private readonly imageSide: () => number,
    private readonly requestRender: () => void,
    color = '#e8590c',
  ) {
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { uColor: { value: new THREE.Color(color) }, uSize: { value: 14 } },
      transparent: true,
      depthTest: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.points.renderOrder = 9;
  }

  setScene(scene: THREE.Scene): void {
    scene.add(this.points);
  }

  onPositionsChanged(positions: Float32Array): void {
    this.positions = positions;
    this.place();
  }

  /** Rings these points (none with an empty list); indices past the positions are skipped. */
  setIndices(indices: readonly number[]): void {
    this.indices = indices;
    this.place();
  }

  /** Sets the ring colour (a CSS colour). */
  setColor(color: string): void {
    (this.material.uniforms.uColor.value as THREE.Color).set(color);
  }

  private place(): void {
    const n = this.positions.length >> 1;
    const shown = this.indices.filter((i) => i >= 0 && i < n);
    const a = new Float32Array(shown.length * 3);
    shown.forEach((i, k) => {
      a[3 * k] = this.positions[2 * i];
      a[3 * k + 1] = this.positions[2 * i + 1];
    });
    // A handful of rings: a fresh buffer each time costs nothing, and the old one is freed with it.
    this.geometry.dispose();
    this.geometry.setAttribute('position', new THREE.BufferAttribute(a, 3));
    this.points.visible = shown.length > 0;
    this.requestRender();
  }

  onRender(_unitsPerPixel: number, pixelRatio: number): void {
    // Around a dot, or around the corners of the image under it (its diagonal, 1.42 sides).
    this.material.uniforms.uSize.value = Math.max(20, 1.42 * this.imageSide() + 6) * pixelRatio;
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}
