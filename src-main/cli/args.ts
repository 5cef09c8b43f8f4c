/**
 * Command-line parsing for `ae-explorer`, pure so tests can check every
 * usage error. A usage error (unknown option, missing value, bad number)
 * is a UsageError: exit code 2.
 */
import { parseArgs } from 'node:util';

import { DEFAULT_MODEL_KIND, LIMITS, MAX_IMAGE_SIDE, MAX_ITEMS, MODEL_KINDS, type ModelKind } from '../protocol.js';

/** A mistake in how the command was called; the CLI exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: ae-explorer embed <folder|mnist> [options]

Trains an autoencoder on an image dataset, projects its codes to 2-D and
writes the projections as CSV (index,[file,]label,x,y).

Options:
  --model <kind>        ${MODEL_KINDS.join(', ')} (default ${DEFAULT_MODEL_KIND})
  --epochs <n>          training epochs (default: the model's; wide 1, the tutorial kinds 10)
  --code-size <n>       size of the code vector (default: the model's; wide 50, most kinds 32)
  --batch-size <n>      images per batch (default: the model's, smaller for small datasets)
  --learning-rate <r>   Adam's learning rate (default: the model's, 1e-3 for most)
  --noise-level <s>     denoising: training noise, 0 to 1 (default 0.5)
  --l1 <w>              sparse: L1 weight of the code penalty, 0 to 1 (default 1e-4)
  --method <m>          tsne, umap or pca (default tsne)
  --perplexity <p>      t-SNE perplexity (default 30)
  --iterations <n>      t-SNE iterations (default 750)
  --limit <n>           use the first n images only
  --size <W>x<H>        bring every image of a folder to this size, aspect kept by padding
                        (default: the most common size in the folder)
  --grayscale           convert a folder's colour images to grayscale
  --seed <n>            random seed (default 1)
  --out <file>          CSV to write (default projections.csv)
  --save-session <file> also save a session (.aex) the desktop app can open
  --quiet               no progress bars
  -h, --help            show this help
  -v, --version         show the version

Exit codes: 0 done, 1 bad input (missing folder, unreadable data...), 2 usage error.
Example: ae-explorer embed mnist --limit 5000 --epochs 5 --out mnist.csv`;

/** What `embed` was asked to do. */
export interface EmbedArgs {
  command: 'embed';
  /** "mnist" or a folder path. */
  dataset: string;
  model: ModelKind;
  /** Absent: the model's default (1 for wide, else 10). */
  epochs?: number;
  /** Absent: the model's default (wide 50, most kinds 32). */
  codeSize?: number;
  batchSize?: number;
  learningRate?: number;
  /** Denoising only: training noise level. */
  noiseLevel?: number;
  /** Sparse only: weight of the L1 code penalty. */
  l1?: number;
  method: 'tsne' | 'umap' | 'pca';
  perplexity: number;
  iterations?: number;
  limit?: number;
  /** Size every image of a folder is brought to; undefined = the most common size. */
  size?: { width: number; height: number };
  /** Convert a folder's colour images to grayscale. */
  grayscale: boolean;
  seed: number;
  out: string;
  saveSession?: string;
  quiet: boolean;
}

export type CliArgs = EmbedArgs | { command: 'help' } | { command: 'version' };

/** An integer in [min, max] (the engine's bounds, so the engine never refuses what the CLI let through). */
function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got "${v}"`);
  return n;
}

/** A number in [min, max] (or undefined when the option is absent); throws UsageError. */
function numberIn(name: string, v: string | undefined, min: number, max: number, minOpen = false): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!(Number.isFinite(n) && (minOpen ? n > min : n >= min) && n <= max))
    throw new UsageError(
      `--${name} must be a number ${minOpen ? '>' : 'from'} ${min} ${minOpen ? 'and ≤' : 'to'} ${max}, got "${v}"`,
    );
  return n;
}

/** Reads "32x32" (or 32×32, 32X32) as width × height; throws UsageError. */
export function parseSize(v: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[x×X]\s*(\d+)\s*$/.exec(v);
  const width = m ? Number(m[1]) : NaN;
  const height = m ? Number(m[2]) : NaN;
  if (!(width >= 1 && height >= 1 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE))
    throw new UsageError(
      `--size must be <width>x<height> in pixels from 1 to ${MAX_IMAGE_SIDE}, e.g. 32x32, got "${v}"`,
    );
  return { width, height };
}

/** Parses argv (without node and the script); throws UsageError. */
export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        epochs: { type: 'string' },
        'code-size': { type: 'string' },
        'batch-size': { type: 'string' },
        'learning-rate': { type: 'string' },
        'noise-level': { type: 'string' },
        l1: { type: 'string' },
        method: { type: 'string' },
        perplexity: { type: 'string' },
        iterations: { type: 'string' },
        limit: { type: 'string' },
        size: { type: 'string' },
        grayscale: { type: 'boolean' },
        seed: { type: 'string' },
        out: { type: 'string', short: 'o' },
        'save-session': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values: o, positionals } = parsed;
  if (o.help) return { command: 'help' };
  if (o.version) return { command: 'version' };
  const [command, dataset, ...extra] = positionals;
  if (!command) throw new UsageError('missing command: try `ae-explorer embed mnist`');
  if (command !== 'embed') throw new UsageError(`unknown command "${command}" (the only command is embed)`);
  if (!dataset) throw new UsageError('embed needs a dataset: a folder of images, or mnist');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const model = (o.model ?? DEFAULT_MODEL_KIND) as ModelKind;
  if (!MODEL_KINDS.includes(model))
    throw new UsageError(`--model must be one of ${MODEL_KINDS.join(', ')}, got "${o.model}"`);
  const method = o.method ?? 'tsne';
  if (method !== 'tsne' && method !== 'umap' && method !== 'pca')
    throw new UsageError(`--method must be tsne, umap or pca, got "${method}"`);
  const perplexity = o.perplexity === undefined ? 30 : Number(o.perplexity);
  if (!(Number.isFinite(perplexity) && perplexity > 0))
    throw new UsageError(`--perplexity must be a number > 0, got "${o.perplexity}"`);
  if (perplexity < LIMITS.perplexity.min || perplexity > LIMITS.perplexity.max)
    throw new UsageError(
      `--perplexity must be from ${LIMITS.perplexity.min} to ${LIMITS.perplexity.max}, got "${o.perplexity}"`,
    );
  if (o['noise-level'] !== undefined && model !== 'denoising')
    throw new UsageError(`--noise-level applies to --model denoising, not ${model}`);
  if (o.l1 !== undefined && model !== 'sparse') throw new UsageError(`--l1 applies to --model sparse, not ${model}`);
  const isMnist = dataset.toLowerCase() === 'mnist';
  if (isMnist && (o.size !== undefined || o.grayscale))
    throw new UsageError('--size and --grayscale apply to image folders; MNIST is 28×28 grayscale already');
  for (const [k, v] of [
    ['out', o.out],
    ['save-session', o['save-session']],
  ] as const)
    if (v !== undefined && v.trim() === '') throw new UsageError(`--${k} needs a file name`);
  return {
    command: 'embed',
    dataset,
    model,
    epochs: int('epochs', o.epochs, 1, LIMITS.epochs.max),
    codeSize: int('code-size', o['code-size'], 1, LIMITS.codeSize.max),
    batchSize: int('batch-size', o['batch-size'], 1, LIMITS.batchSize.max),
    learningRate: numberIn('learning-rate', o['learning-rate'], 0, LIMITS.learningRate.max, true),
    noiseLevel: numberIn('noise-level', o['noise-level'], 0, 1),
    l1: numberIn('l1', o.l1, 0, 1),
    method,
    perplexity,
    iterations: int('iterations', o.iterations, 1, LIMITS.iterations.max),
    limit: int('limit', o.limit, 1, MAX_ITEMS),
    size: o.size === undefined ? undefined : parseSize(o.size),
    grayscale: o.grayscale ?? false,
    seed: int('seed', o.seed, 0, 0xffff_ffff) ?? 1,
    out: o.out ?? 'projections.csv',
    saveSession: o['save-session'],
    quiet: o.quiet ?? false,
  };
}
