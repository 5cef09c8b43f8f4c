/**
 * Builds everything the app runs from: the Node side with esbuild into
 * dist/main (ESM for the engine, server and CLI; CommonJS for Electron's main
 * and sandboxed preload) and the renderer with Vite into dist/renderer.
 * Usage: tsx src-main/tools/build.ts [--main-only | --renderer-only]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build as esbuild, type BuildOptions } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'dist', 'main');
const args = process.argv.slice(2);

const esm: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

const entries: { src: string; out: string; options?: BuildOptions }[] = [
  { src: 'src-main/web/main.ts', out: 'web.js' },
  { src: 'src-main/engine/worker.ts', out: 'engine-worker.js' },
  // The engine's worker threads (util/threads.ts), loaded from beside whichever bundle runs the engine:
  // data-parallel training's helper, t-SNE's and the approximate kNN's.
  { src: 'src-main/engine/training/gradient-worker.ts', out: 'gradient-worker.js' },
  { src: 'src-main/engine/tsne/attraction-worker.ts', out: 'attraction-worker.js' },
  { src: 'src-main/engine/neighbors/knn-worker.ts', out: 'knn-worker.js' },
  // The threaded wasm binary's pthread script (backends/wasm-threads.ts), started by path by Emscripten.
  {
    src: 'src-main/engine/backends/wasm-pthread-worker.cjs',
    out: 'wasm-pthread-worker.cjs',
    options: { format: 'cjs' },
  },
  { src: 'src-main/cli/main.ts', out: 'cli.js', options: { banner: { js: '#!/usr/bin/env node' } } },
  { src: 'src-main/electron/main.ts', out: 'electron-main.cjs', options: { format: 'cjs', external: ['electron'] } },
  // A sandboxed preload can only require('electron'): bundle everything else in.
  {
    src: 'src-main/electron/preload.ts',
    out: 'preload.cjs',
    options: { format: 'cjs', packages: undefined, external: ['electron'] },
  },
];

async function buildMain(): Promise<void> {
  await Promise.all(
    entries
      .filter((e) => existsSync(path.join(root, e.src)))
      .map((e) =>
        esbuild({ ...esm, ...e.options, entryPoints: [path.join(root, e.src)], outfile: path.join(out, e.out) }),
      ),
  );
}

async function buildRenderer(): Promise<void> {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

const t0 = performance.now();
if (!args.includes('--renderer-only')) await buildMain();
if (!args.includes('--main-only')) await buildRenderer();
console.log(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
