/**
 * The parameter count of each kind's model, computed from the build options
 * without building it, so training can refuse a model too big for memory
 * before TF.js allocates it (a codeSize of 10⁷ on MNIST asks for ~63 GB of
 * weights and leaves the wasm heap broken). Each formula mirrors its builder;
 * test/engine/models/size.test.ts checks them against the built models.
 */
import type { ModelKind } from '../../protocol.js';
import type { BuildOptions } from './types.js';

/**
 * Largest model training accepts, in bytes of float32 weights. Adam keeps two
 * more copies and the gradients a fourth, so this is about 1 GiB while
 * training, well inside the 4 GiB a wasm32 heap can address.
 */
export const MAX_MODEL_BYTES = 256 * 2 ** 20;

const dense = (inputs: number, units: number) => inputs * units + units;
const conv3 = (inputs: number, filters: number) => 9 * inputs * filters + filters;
const lstm = (inputs: number, units: number) => 4 * (inputs * units + units * units + units);

/** Dense layers through the widths in order. */
function denseChain(widths: number[]): number {
  let total = 0;
  for (let i = 1; i < widths.length; i++) total += dense(widths[i - 1]!, widths[i]!);
  return total;
}

/** Conv layers through the widths in order (3×3 kernels). */
function convChain(widths: number[]): number {
  let total = 0;
  for (let i = 1; i < widths.length; i++) total += conv3(widths[i - 1]!, widths[i]!);
  return total;
}

/** The code size a kind gets when `codeSize` is left out (see each builder). */
export const DEFAULT_CODE_SIZE: Readonly<Partial<Record<ModelKind, number>>> = Object.freeze({
  simple: 32,
  sparse: 32,
  deep: 32,
  wide: 50,
  seq2seq: 64,
  vae: 2,
});

/** Trainable parameters of the model `kind` would build with these options. */
export function parameterCount(kind: ModelKind, o: BuildOptions): number {
  const size = o.height * o.width * o.channels;
  const c = o.codeSize ?? DEFAULT_CODE_SIZE[kind] ?? 0;
  switch (kind) {
    case 'simple':
    case 'sparse':
      return denseChain([size, c, size]);
    case 'deep':
      return denseChain([size, 128, 64, c, 64, 128, size]);
    case 'wide':
      // The linear paths pixels → code and code → pixels, beside the relu paths.
      return dense(size, c) + dense(c, size) + denseChain([size, 512, 256, c, 256, 512, size]);
    case 'vae':
      return dense(size, 256) + 2 * dense(256, c) + denseChain([c, 256, size]);
    case 'conv':
      return convChain([o.channels, 16, 8, 8]) + convChain([8, 8, 8, 16, o.channels]);
    case 'denoising':
      return convChain([o.channels, 32, 32]) + convChain([32, 32, 32, o.channels]);
    case 'seq2seq': {
      const row = o.width * o.channels;
      return lstm(row, c) + lstm(c, 128) + dense(128, row);
    }
  }
}

/**
 * Throws, naming the kind, its code size and the bound, when the model would
 * hold more than `MAX_MODEL_BYTES` of weights.
 */
export function checkModelSize(kind: ModelKind, o: BuildOptions, maxBytes = MAX_MODEL_BYTES): void {
  const params = parameterCount(kind, o);
  if (params * 4 <= maxBytes) return;
  const code = o.codeSize !== undefined ? `codeSize ${o.codeSize}` : 'its default code size';
  const mib = (b: number) => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 0 })} MiB`;
  throw new Error(
    `the ${kind} model with ${code} on ${o.height}×${o.width}×${o.channels} images has ` +
      `${params.toLocaleString('en-US')} parameters (${mib(params * 4)} of weights); ` +
      `the limit is ${mib(maxBytes)} (${(maxBytes / 4).toLocaleString('en-US')} parameters): choose a smaller codeSize`,
  );
}
