/**
 * The reference bench:train measures against (issue 14): the PyTorch twins of
 * our seven autoencoders (bench/torch_twins.py), driven from Node. The twins'
 * layer sizes are read off our own built models here, so a change to a
 * builder is mirrored without touching the Python; a change the twins cannot
 * mirror (a new layer type, another activation) is refused with a message
 * naming the kind and the layers found.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type * as tf from '@tensorflow/tfjs';

import { DEFAULT_NOISE_LEVEL } from '../src-main/engine/models/denoising.js';
import type { Autoencoder } from '../src-main/engine/models/index.js';
import { SEQ2SEQ_OUTPUT_BIAS } from '../src-main/engine/models/seq2seq.js';
import { SPARSE_L1 } from '../src-main/engine/models/sparse.js';
import { decoderCrops } from '../src-main/engine/models/spatial.js';
import { WIDE_STRESS_WEIGHT } from '../src-main/engine/models/wide.js';

/** The twin script, next to this file. */
export const TWINS_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_twins.py');

/** One request to the twins: the kind and its architecture (the fields of torch_twins.py's DEFAULTS). */
export interface TwinSpec {
  kind: string;
  lr: number;
  [field: string]: unknown;
}

/** What the twin reports after its epoch. */
export interface TwinResult {
  kind: string;
  /** Images per second of the epoch alone (model build and optimiser setup apart). */
  imagesPerSecond: number;
  /** The epoch's image-weighted mean loss, the same quantity as ours. */
  finalLoss: number;
  threads: number;
  seconds: number;
  setupSeconds: number;
  params: number;
}

/** A layer as the check below sees it: its class, and the sizes and activation that matter. */
function describe(layer: tf.layers.Layer): string {
  const c = layer.getConfig() as Record<string, unknown>;
  const name = layer.getClassName();
  if (name === 'Dense') return `Dense(${c.units},${c.activation})`;
  if (name === 'Conv2D') return `Conv2D(${c.filters},${String(c.kernelSize)},${c.padding},${c.activation})`;
  if (name === 'LSTM') return `LSTM(${c.units},${c.activation},${c.recurrentActivation})`;
  if (name === 'TimeDistributed')
    return `TimeDistributed(${describe((layer as unknown as { layer: tf.layers.Layer }).layer)})`;
  return name;
}

/** The layers of a model after its input, described. */
function layersOf(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer').map(describe);
}

function numbers(descriptions: string[]): number[] {
  return descriptions.map((d) => Number(/\((\d+)/.exec(d)?.[1]));
}

/**
 * The twin of a built autoencoder of ours: its kind, learning rate and layer
 * sizes. Throws, naming the kind and the layers found, when the model has a
 * shape the twins do not mirror.
 */
export function twinSpec(built: Autoencoder): TwinSpec {
  const kind = built.kind;
  const enc = layersOf(built.encoder);
  const dec = layersOf(built.decoder);
  const size = built.inputShape.reduce((a, b) => a * b, 1);
  const lr = built.defaults.learningRate;
  const refuse = (expected: string): never => {
    throw new Error(
      `${kind}: bench/torch_twins.py mirrors ${expected}; our builder gives encoder [${enc.join(', ')}], ` +
        `decoder [${dec.join(', ')}]. Teach the twin the new shape (and test/bench/torch-twins.test.ts checks it).`,
    );
  };
  const dense = (u: number, act: string) => `Dense(${u},${act})`;
  const conv = (f: number, act: string) => `Conv2D(${f},3,3,same,${act})`;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

  if (kind === 'wide') {
    // models/wide.ts: relu layers to a linear code layer, plus the code's linear path from the pixels, added.
    const widths = numbers(enc.filter((d) => d.endsWith(',relu)')));
    const code = built.codeSize;
    const wantEnc = [...widths.map((u) => dense(u, 'relu')), dense(code, 'linear'), dense(code, 'linear'), 'Add'];
    const back = [...widths].reverse().map((u) => dense(u, 'relu'));
    const wantDec = [...back, dense(size, 'linear'), dense(size, 'linear'), 'Add', 'Activation'];
    if (!same(enc, wantEnc) || !same(dec, wantDec))
      refuse('relu dense layers to a linear code plus a linear path from the pixels, mirrored with a linear path back');
    return {
      kind,
      lr,
      hidden: widths,
      code,
      codeActivation: 'linear',
      schedule: built.defaults.schedule ?? 'constant',
      stress: WIDE_STRESS_WEIGHT,
      skip: true,
    };
  }
  if (kind === 'simple' || kind === 'sparse' || kind === 'deep') {
    const widths = numbers(enc);
    const hidden = widths.slice(0, -1);
    const code = widths[widths.length - 1]!;
    const wantEnc = [...hidden.map((u) => dense(u, 'relu')), dense(code, 'relu')];
    const wantDec = [...[...hidden].reverse().map((u) => dense(u, 'relu')), dense(size, 'sigmoid')];
    if (!same(enc, wantEnc) || !same(dec, wantDec)) refuse('relu dense layers to a relu code, mirrored, sigmoid out');
    return { kind, lr, hidden, code, ...(kind === 'sparse' ? { l1: SPARSE_L1 } : {}) };
  }
  if (kind === 'conv' || kind === 'denoising') {
    const down = numbers(enc.filter((d) => d.startsWith('Conv2D')));
    const decConvs = numbers(dec.filter((d) => d.startsWith('Conv2D')));
    const up = decConvs.slice(0, -1);
    const wantEnc = [...down.flatMap((f) => [conv(f, 'relu'), 'MaxPooling2D']), 'Flatten'];
    // The twin crops each upsampling back to the encoder's size at that level, as spatial.ts does.
    const [h, w] = built.inputShape as [number, number, number];
    const crops = decoderCrops(h, w, down.length);
    const out = conv(decConvs[decConvs.length - 1] ?? 0, 'sigmoid');
    const upLayers = up.flatMap((f, i) => [conv(f, 'relu'), 'UpSampling2D', ...(crops[i] ? ['Cropping2D'] : [])]);
    const wantDec = ['Reshape', ...upLayers, out];
    if (!same(enc, wantEnc) || !same(dec, wantDec))
      refuse(
        '3×3 same relu convs each with a pool, flatten; reshape, convs each with an upsampling cropped to the ' +
          "encoder's size there, sigmoid conv",
      );
    return { kind, lr, down, up, ...(kind === 'denoising' ? { noise: DEFAULT_NOISE_LEVEL } : {}) };
  }
  if (kind === 'seq2seq') {
    const [code, decoder] = [numbers(enc)[0]!, numbers(dec.filter((d) => d.startsWith('LSTM')))[0]!];
    // TF.js's LSTM: tanh cell, hard-sigmoid gates (the twin's HardLSTM).
    const lstm = (u: number) => `LSTM(${u},tanh,hardSigmoid)`;
    const wantDec = [
      'RepeatVector',
      lstm(decoder),
      `TimeDistributed(${dense(size / built.inputShape[0]!, 'sigmoid')})`,
    ];
    if (!same(enc, [lstm(code)]) || !same(dec, wantDec))
      refuse('a tanh/hard-sigmoid LSTM to the code; repeat, LSTM, time-distributed sigmoid dense');
    return { kind, lr, code, decoder, outputBias: SEQ2SEQ_OUTPUT_BIAS };
  }
  if (kind === 'vae') {
    // The encoder model ends at the mean; the log-variance head is in `stats` (built.others).
    const heads = built.others?.[0] ? layersOf(built.others[0]) : [];
    const [hidden, code] = numbers(enc);
    const wantHeads = [dense(hidden!, 'relu'), dense(code!, 'linear'), dense(code!, 'linear')];
    if (
      !same(enc, wantHeads.slice(0, 2)) ||
      !same(heads, wantHeads) ||
      !same(dec, [dense(hidden!, 'relu'), dense(size, 'sigmoid')])
    )
      refuse('a relu dense layer to linear mean and log-variance heads; relu dense, sigmoid dense');
    return { kind, lr, hidden, code };
  }
  return refuse('seven known kinds only');
}

/**
 * The python3 that imports torch: $AE_BENCH_PYTHON when set (and only it: an
 * explicit choice is not silently replaced), else the first of `python3` on
 * the PATH and /usr/bin/python3 (Debian's python3-torch installs for the
 * system Python, which a pyenv or venv python3 does not see).
 */
export function findTorchPython(env = process.env): { python: string; torch: string } | { missing: string } {
  const candidates = env.AE_BENCH_PYTHON ? [env.AE_BENCH_PYTHON] : ['python3', '/usr/bin/python3'];
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status === 0) return { python, torch: r.stdout.trim() };
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    tried.push(`${python}: ${why}`);
  }
  return { missing: `no python3 with torch (${tried.join('; ')})` };
}

/** Each twin's parameter count for the given specs and image shape (no data, no training). */
export function countTwinParams(python: string, specs: TwinSpec[], shape: [number, number, number]): number[] {
  const r = spawnSync(
    python,
    [TWINS_SCRIPT, '--count-params', '--shape', shape.join(','), ...specs.map((s) => JSON.stringify(s))],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (r.status !== 0) throw new Error(`torch_twins.py --count-params failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((line, i) => {
      const rec = JSON.parse(line) as { params?: number; error?: string };
      if (rec.error !== undefined || rec.params === undefined)
        throw new Error(`torch_twins.py refused ${JSON.stringify(specs[i])}: ${rec.error}`);
      return rec.params;
    });
}

/** Options of the twins' process; --n and --batch are the same as ours. */
export interface TwinOptions {
  python: string;
  mnistDir: string;
  n: number;
  batch: number;
  /** torch.set_num_threads (2: the machine's cores, as ours use). */
  threads: number;
  /** seq2seq's cell: 'exact' mirrors TF.js's hard-sigmoid LSTM, 'native' is nn.LSTM. */
  lstm: 'exact' | 'native';
  /**
   * OPENBLAS_NUM_THREADS for the twins' process. Debian's torch calls
   * openblas-pthread, whose own pool (the core count by default) runs beside
   * torch's OpenMP threads: at 2 + 2 on 2 cores they spin against each other
   * and the dense twins ran 2–3× slower than at 1 (README, on bench:train
   * --anchor). 1 is PyTorch as it runs with a BLAS that shares its threads
   * (MKL, as pip's x86 wheels use, or an OpenMP build of OpenBLAS); leave it
   * out for the environment's own setting.
   */
  blasThreads?: number;
}

/** What the twins' process says once it is ready. */
export interface TwinsReady {
  torch: string;
  /** torch.get_num_threads(). */
  threads: number;
  /** The BLAS libraries the process loaded. */
  blas: string;
  /** OpenBLAS's own pool size; null for another BLAS. */
  blasThreads: number | null;
}

/**
 * The twins' Python process, started once (torch's import and the MNIST read
 * are paid once) and asked for one epoch of one kind at a time, so runs of
 * ours and theirs can alternate. It waits on stdin, idle, while ours train.
 */
export class TorchTwins {
  private readonly waiting: ((line: string) => void)[] = [];
  private exited: string | null = null;

  private constructor(private readonly child: ReturnType<typeof spawn>) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
    child.on('exit', (code, signal) => {
      this.exited = `torch_twins.py exited (${signal ?? `code ${code}`})`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  /** Starts the process and waits until it has imported torch and read the images. */
  static async start(o: TwinOptions): Promise<{ twins: TorchTwins } & TwinsReady> {
    const args = ['--serve', '--mnist', o.mnistDir, '--n', `${o.n}`, '--batch', `${o.batch}`];
    args.push('--threads', `${o.threads}`, '--lstm', o.lstm);
    const env =
      o.blasThreads === undefined ? process.env : { ...process.env, OPENBLAS_NUM_THREADS: `${o.blasThreads}` };
    const child = spawn(o.python, [TWINS_SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
    const twins = new TorchTwins(child);
    const ready = JSON.parse(await twins.next()) as { ready?: boolean } & TwinsReady;
    if (!ready.ready) throw new Error(`torch_twins.py did not start: ${JSON.stringify(ready)}`);
    return { twins, torch: ready.torch, threads: ready.threads, blas: ready.blas, blasThreads: ready.blasThreads };
  }

  private next(): Promise<string> {
    if (this.exited) return Promise.resolve(JSON.stringify({ error: this.exited }));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** One epoch of the twin of `spec`, on the process's images at its batch size. */
  async run(spec: TwinSpec): Promise<TwinResult> {
    const answer = this.next();
    this.child.stdin!.write(`${JSON.stringify(spec)}\n`);
    const rec = JSON.parse(await answer) as TwinResult & { error?: string };
    if (rec.error !== undefined) throw new Error(`PyTorch twin of ${spec.kind}: ${rec.error}`);
    return rec;
  }

  /** Ends the process (stdin closed: it leaves its loop and exits). */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await done;
  }
}
