/**
 * Runs a FIt-SNE `fast_tsne` binary (built outside the repository) on the same input and parameters as our t-SNE,
 * through its file interface as documented in its fast_tsne.py wrapper: data.dat (header, n×d doubles, seed, df,
 * load_affinities, n×2 initialisation) in, result.dat (n, dims, n×dims doubles, then the loss) out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** FIt-SNE's wrapper version, the first argument its binary expects. */
const VERSION = '1.2.1';

/** The parameters both implementations get. */
export interface AnchorParams {
  perplexity: number;
  iterations: number;
  exaggerationIterations: number;
  earlyExaggeration: number;
  learningRate: number;
  momentum: number;
  finalMomentum: number;
  threads: number;
  seed: number;
}

/** One FIt-SNE run: its embedding and the seconds to its "Learning embedding" line (kNN + P) and after it. */
export interface AnchorRun {
  embedding: Float32Array;
  seconds: { affinities: number; optimize: number; total: number };
}

/** data.dat in the layout fast_tsne.py writes, with FIt-SNE's defaults for everything we do not set. */
function inputFile(x: Float32Array, n: number, d: number, init: Float64Array, p: AnchorParams): Buffer {
  const parts: Buffer[] = [];
  const i32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    parts.push(b);
  };
  const f64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    parts.push(b);
  };
  const nTrees = 50;
  i32(n);
  i32(d);
  f64(0.5); // theta (Barnes-Hut only)
  f64(p.perplexity);
  i32(2); // map dims
  i32(p.iterations);
  i32(p.exaggerationIterations); // stop_early_exag_iter
  i32(p.exaggerationIterations); // mom_switch_iter
  f64(p.momentum);
  f64(p.finalMomentum);
  f64(p.learningRate);
  f64(5); // max_step_norm (FIt-SNE's default)
  i32(-1); // K
  f64(-1); // sigma
  i32(2); // nbody_algo: FFT
  i32(1); // knn_algo: Annoy
  f64(p.earlyExaggeration);
  i32(0); // no_momentum_during_exag
  i32(nTrees);
  i32(3 * p.perplexity * nTrees); // search_k, the wrapper's default
  i32(-1); // start_late_exag_iter
  f64(-1); // late_exag_coeff
  i32(3); // nterms (interpolation nodes per box)
  f64(1); // intervals_per_integer
  i32(50); // min_num_intervals
  parts.push(Buffer.from(Float64Array.from(x).buffer));
  i32(p.seed);
  f64(1); // df: the Cauchy kernel
  i32(0); // load_affinities: compute them
  parts.push(Buffer.from(Float64Array.from(init).buffer));
  return Buffer.concat(parts);
}

/** Runs the binary at `bin` and reads its embedding back; throws with its output when it fails. */
export async function runFitSne(
  bin: string,
  x: Float32Array,
  n: number,
  d: number,
  init: Float64Array,
  p: AnchorParams,
): Promise<AnchorRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fitsne-'));
  try {
    const data = path.join(dir, 'data.dat');
    const result = path.join(dir, 'result.dat');
    writeFileSync(data, inputFile(x, n, d, init, p));
    const t0 = performance.now();
    let t1 = NaN;
    let log = '';
    // stdbuf makes its stdout line-buffered, so the "Learning embedding" line arrives when printed.
    const child = spawn('stdbuf', ['-oL', bin, VERSION, data, result, String(p.threads)], { cwd: dir });
    child.stdout.on('data', (b: Buffer) => {
      log += b.toString();
      if (Number.isNaN(t1) && log.includes('Learning embedding')) t1 = performance.now();
    });
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const t2 = performance.now();
    if (code !== 0) throw new Error(`FIt-SNE (${bin}) exited with ${code}:\n${log.slice(-2000)}`);
    const buf = readFileSync(result);
    const rn = buf.readInt32LE(0);
    const dims = buf.readInt32LE(4);
    if (rn !== n || dims !== 2) throw new Error(`FIt-SNE result is ${rn}×${dims}, expected ${n}×2`);
    const embedding = new Float32Array(2 * n);
    for (let t = 0; t < 2 * n; t++) embedding[t] = buf.readDoubleLE(8 + 8 * t);
    if (Number.isNaN(t1)) t1 = t0;
    return {
      embedding,
      seconds: { affinities: (t1 - t0) / 1000, optimize: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
