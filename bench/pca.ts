/**
 * PCA-50 of the first N MNIST images (pixels / 255), ours (fit on a 5,000-row sample, then every row projected,
 * the path t-SNE's input and initialisation take) against scikit-learn's PCA on all rows, interleaved (issue 17
 * point 2). Prints one line per implementation and size (median seconds of the repeats, load average), then the
 * ratio and how far our explained variances are from the reference's: the largest relative difference of one
 * component and of their total.
 * Usage: npm run bench:pca -- [--n 10000,70000] [--components 50] [--repeat 3] [--anchor]
 *   [--solver auto|full|randomized]
 * --anchor needs a python3 (or $AE_BENCH_PYTHON) with scikit-learn (Debian: apt-get install python3-sklearn).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { selectBackend } from '../src-main/engine/backends/select.js';
import { loadMnist } from '../src-main/engine/datasets/mnist.js';
import { fitPca, projectPca } from '../src-main/engine/projection/pca.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const sizes = arg('n', '10000,70000').split(',').map(Number);
const components = Number(arg('components', '50'));
const repeat = Number(arg('repeat', '3'));
const solver = arg('solver', 'auto');
const anchor = process.argv.includes('--anchor');
for (const n of sizes)
  if (!(Number.isInteger(n) && n > components && n <= 70000))
    throw new Error(`--n: ${n} is not in (${components}, 70000]`);
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat must be a positive integer`);

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pca_reference.py');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** The first python of $AE_BENCH_PYTHON, python3, /usr/bin/python3 that imports scikit-learn. */
function findPython(): string {
  const tried: string[] = [];
  for (const p of process.env.AE_BENCH_PYTHON ? [process.env.AE_BENCH_PYTHON] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(p, ['-c', 'import sklearn'], { encoding: 'utf8' });
    if (r.status === 0) return p;
    tried.push(`${p}: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
  }
  throw new Error(`--anchor: no python3 with scikit-learn (${tried.join('; ')})`);
}

const python = anchor ? findPython() : '';
const backend = await selectBackend();
const full = await loadMnist(Math.max(...sizes));
const dir = mkdtempSync(path.join(os.tmpdir(), 'ae-pca-bench-'));
try {
  for (const n of sizes) {
    const d = 784;
    const x = new Float32Array(n * d);
    for (let t = 0; t < x.length; t++) x[t] = full.pixels[t]! / 255;
    const file = path.join(dir, `x${n}.f32`);
    if (anchor) writeFileSync(file, Buffer.from(x.buffer));
    const ours: number[] = [];
    const theirs: number[] = [];
    let variances: Float64Array = new Float64Array(0);
    let reference: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      const model = fitPca(x, n, d, components, 0);
      projectPca(model, x, n);
      ours.push((performance.now() - t0) / 1000);
      variances = model.variances;
      if (anchor) {
        const p = spawnSync(python, [script, file, String(n), String(d), String(components), solver, '1'], {
          encoding: 'utf8',
        });
        if (p.status !== 0) throw new Error(`pca_reference.py failed: ${p.error?.message ?? p.stderr}`);
        const rec = JSON.parse(p.stdout.trim()) as { seconds: number; variances: number[] };
        theirs.push(rec.seconds);
        reference = rec.variances;
      }
    }
    console.log(
      `pca ours N=${n} d=${d} k=${components} median=${median(ours).toFixed(2)}s runs=${ours.map((s) => s.toFixed(2)).join(',')} backend ${backend.name} load ${load()}`,
    );
    if (!anchor) continue;
    let worst = 0;
    let sum = 0;
    let refSum = 0;
    for (let e = 0; e < components; e++) {
      worst = Math.max(worst, Math.abs(variances[e]! / reference[e]! - 1));
      sum += variances[e]!;
      refSum += reference[e]!;
    }
    console.log(
      `pca scikit-learn(${solver}) N=${n} median=${median(theirs).toFixed(2)}s runs=${theirs.map((s) => s.toFixed(2)).join(',')} ` +
        `ours/sklearn=${(median(ours) / median(theirs)).toFixed(2)} variance: worst component ${worst.toExponential(1)}, total ${Math.abs(sum / refSum - 1).toExponential(1)} load ${load()}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
