// Loading figures: first load of 70,000 28×28 PNGs and the cached reload.
// Usage: npm run bench:load [-- N]   (generates into a temp dir, removes it after)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PNG } from 'pngjs';

import { loadFolder } from '../src-main/engine/datasets/folder.js';
import { walk } from '../src-main/engine/datasets/walk.js';

const N = Number(process.argv[2] ?? 70000);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ae-bench-load-'));
const dataDir = path.join(tmp, 'digits 70k');
const cacheDir = path.join(tmp, 'cache');
try {
  let t = performance.now();
  // Ten class folders of distinct gray images: a noisy blob whose place depends on the class.
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const rgba = Buffer.alloc(28 * 28 * 4);
  for (let c = 0; c < 10; c++) mkdirSync(path.join(dataDir, String(c)), { recursive: true });
  for (let i = 0; i < N; i++) {
    const c = i % 10;
    const cx = 6 + (c % 4) * 5 + rand() * 3;
    const cy = 6 + Math.floor(c / 4) * 6 + rand() * 3;
    for (let p = 0; p < 784; p++) {
      const d = Math.hypot((p % 28) - cx, Math.floor(p / 28) - cy);
      const v = d < 5 ? 255 - d * 30 - rand() * 40 : rand() * 20;
      rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = v;
      rgba[4 * p + 3] = 255;
    }
    // colorType 0: stored as 8-bit grayscale, as MNIST PNGs are.
    writeFileSync(
      path.join(dataDir, String(c), `${i}.png`),
      PNG.sync.write({ width: 28, height: 28, data: rgba }, { colorType: 0 }),
    );
  }
  console.log(`generate: ${N} PNGs in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // CPU time beside wall time: on a shared machine the wall time also counts other processes' turns.
  const cpu = (c: NodeJS.CpuUsage, digits = 1) => ((c.user + c.system) / 1e6).toFixed(digits);
  const load = () => os.loadavg()[0].toFixed(1);
  t = performance.now();
  let c = process.cpuUsage();
  const first = await loadFolder(dataDir, { cacheDir });
  const s1 = (performance.now() - t) / 1000;
  console.log(
    `first load: ${first.n} images ${first.width}×${first.height}×${first.channels} in ${s1.toFixed(1)} s, ${Math.round(first.n / s1)} images/s (CPU ${cpu(process.cpuUsage(c))} s, load avg ${load()}; target ≤ 30 s)`,
  );

  const rss = process.memoryUsage().rss;

  t = performance.now();
  c = process.cpuUsage();
  const again = await loadFolder(dataDir, { cacheDir });
  const s2 = (performance.now() - t) / 1000;
  console.log(
    `cached reload: ${again.n} images in ${s2.toFixed(2)} s, from cache: ${again.fromCache === true} (CPU ${cpu(process.cpuUsage(c), 2)} s, load avg ${load()}; target ≤ 2 s)`,
  );
  // The floor of a cached reopen: listing the folder and one stat per file, which the cache key needs.
  t = performance.now();
  const listing = await walk(dataDir);
  console.log(
    `  of which listing + stat of ${listing.files.length} files takes ${((performance.now() - t) / 1000).toFixed(2)} s on its own`,
  );
  // As the app reopens it: the engine's loadDataset command until its datasetLoaded event is serialised for the page.
  process.env.AE_EXPLORER_CACHE_DIR = cacheDir;
  const { Engine } = await import('../src-main/engine/engine.js');
  let bytes = 0;
  const engine = new Engine((e) => {
    if (e.type === 'datasetLoaded') bytes = JSON.stringify(e).length;
    if (e.type === 'error') throw new Error(e.message);
  });
  t = performance.now();
  c = process.cpuUsage();
  await engine.handle({ type: 'loadDataset', jobId: 'bench', source: { kind: 'folder', path: dataDir } });
  console.log(
    `cached reopen through the engine: ${((performance.now() - t) / 1000).toFixed(2)} s up to a ${(bytes / 2 ** 20).toFixed(1)} MB datasetLoaded message (CPU ${cpu(process.cpuUsage(c), 2)} s, load avg ${load()})`,
  );
  console.log(
    `memory after the first load: rss ${Math.round(rss / 2 ** 20)} MB for ${Math.round(first.pixels.length / 2 ** 20)} MB of pixels`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
