/**
 * Off-screen renders of the map for image export: the same scene and camera
 * drawn into a WebGLRenderTarget of any size the GPU allows, so the window's
 * canvas is never resized or repainted mid-export.
 */
import * as THREE from 'three';

/** Largest width or height, in pixels, of an off-screen render on this GPU (render buffer, texture and viewport limits). */
export function maxRenderSize(renderer: THREE.WebGLRenderer): number {
  const gl = renderer.getContext();
  const viewport = gl.getParameter(gl.MAX_VIEWPORT_DIMS) as Int32Array | number[];
  return Math.min(
    gl.getParameter(gl.MAX_RENDERBUFFER_SIZE) as number,
    renderer.capabilities.maxTextureSize,
    viewport[0],
    viewport[1],
  );
}

/**
 * Draws `scene` through `camera` at width×height pixels and returns the
 * pixels as RGBA rows from the top, composited over the opaque `background`
 * ([r, g, b] bytes). The render target starts transparent and the layers blend
 * as they do on screen, so its colours are premultiplied by alpha; compositing
 * here over the page's map colour gives what the window shows.
 */
export function renderToPixels(
  renderer: THREE.WebGLRenderer,
  scene: THREE.Scene,
  camera: THREE.Camera,
  width: number,
  height: number,
  background: [number, number, number],
): Uint8ClampedArray {
  const max = maxRenderSize(renderer);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new Error(`an image needs a positive whole size, not ${width}×${height}`);
  if (width > max || height > max)
    throw new Error(`${width}×${height} is larger than this GPU allows (${max} pixels a side)`);
  const target = new THREE.WebGLRenderTarget(width, height, { depthBuffer: false });
  const previousTarget = renderer.getRenderTarget();
  const previousColor = renderer.getClearColor(new THREE.Color());
  const previousAlpha = renderer.getClearAlpha();
  const raw = new Uint8Array(width * height * 4);
  try {
    renderer.setRenderTarget(target);
    renderer.setClearColor(0x000000, 0);
    renderer.clear();
    renderer.render(scene, camera);
    renderer.readRenderTargetPixels(target, 0, 0, width, height, raw);
  } finally {
    renderer.setRenderTarget(previousTarget);
    renderer.setClearColor(previousColor, previousAlpha);
    target.dispose();
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const [br, bg, bb] = background;
  const row = width * 4;
  for (let y = 0; y < height; y++) {
    // WebGL rows start at the bottom.
    const src = (height - 1 - y) * row;
    const dst = y * row;
    for (let x = 0; x < row; x += 4) {
      const k = 1 - raw[src + x + 3] / 255;
      out[dst + x] = raw[src + x] + br * k;
      out[dst + x + 1] = raw[src + x + 1] + bg * k;
      out[dst + x + 2] = raw[src + x + 2] + bb * k;
      out[dst + x + 3] = 255;
    }
  }
  return out;
}
