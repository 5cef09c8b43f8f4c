/**
 * Every command the engine accepts, each declared once as a zod schema. The
 * TypeScript types, the validator (`parseCommand`) and the front ends' verb
 * API (see api.ts) are all derived from `COMMAND_SCHEMAS`.
 *
 * The schemas hold the product's limits: every number is bounded by what AE
 * Explorer supports and every string by a length, so nothing a page, a
 * socket or a command line sends can make the engine allocate without bound.
 * Unknown fields are dropped (zod's default for objects). No schema
 * transforms its value: a parsed command is the same plain JSON as the wire
 * form, so it can be forwarded and parsed again.
 */
import { z } from 'zod';

/** The seven tutorial kinds, then `wide`: the default, a wider deep model with a linear code (issue 13). */
export const MODEL_KINDS = ['simple', 'sparse', 'deep', 'conv', 'denoising', 'seq2seq', 'vae', 'wide'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
/**
 * What Train & project and `ae-explorer embed` train when no kind is chosen: `wide`, whose codes map MNIST and
 * scikit-learn's digits about as well as PCA-50 of the pixels, where the tutorial's deep model falls 0.05 short in
 * 10-NN accuracy (issue 13; figures and the command in the README).
 */
export const DEFAULT_MODEL_KIND: ModelKind = 'wide';

/** Largest width or height a folder load may ask for. */
export const MAX_IMAGE_SIDE = 4096;
/** Most items a dataset may hold (a folder, an array file, or a subset limit). */
export const MAX_ITEMS = 2_000_000;
/** Longest path a command may name. */
export const MAX_PATH_LENGTH = 4096;
/** Longest job or request id. */
export const MAX_ID_LENGTH = 200;
/** Most items one getThumbnails request may ask for. */
export const MAX_THUMBNAILS = 1024;
/** Grid sizes a getManifold request may ask for; the default is the Keras tutorial's 15×15. */
export const MANIFOLD_MIN_SIZE = 2;
export const MANIFOLD_MAX_SIZE = 30;
export const MANIFOLD_DEFAULT_SIZE = 15;
/** Largest session view state, in characters of JSON. */
export const MAX_VIEW_JSON = 100_000;

/** The bounds of the training and projection parameters, shared with the UI's fields and the CLI. */
export const LIMITS = Object.freeze({
  epochs: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 4096 },
  learningRate: { min: 1e-7, max: 1 },
  codeSize: { min: 1, max: 1024 },
  validationSplit: { min: 0, max: 0.5 },
  perplexity: { min: 1, max: 200 },
  iterations: { min: 1, max: 10_000 },
  pcaComponents: { min: 2, max: 256 },
  clusters: { min: 1, max: 256 },
  searchLimit: { min: 1, max: 1000 },
  thumbnailSide: { min: 4, max: 256 },
  /** Neighbours one `neighbors` request may ask for (the panel's default is NEIGHBORS_DEFAULT_K). */
  neighbors: { min: 1, max: 100 },
});

/** The neighbour panel's k (its neighbours are compared with as many nearest on the map). */
export const NEIGHBORS_DEFAULT_K = 10;

/** Optional CSV columns: reconstruction `error`, k-means `cluster`, the latent code as `z0..zK`. */
export const CSV_COLUMNS = ['error', 'cluster', 'code'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

const between = (l: { min: number; max: number }) => z.number().min(l.min).max(l.max);
const intBetween = (l: { min: number; max: number }) => z.int().min(l.min).max(l.max);

const id = z.string().min(1).max(MAX_ID_LENGTH);
const filePath = z.string().min(1).max(MAX_PATH_LENGTH);
const seed = z.int().min(0).max(0xffff_ffff);
const unit = z.number().min(0).max(1);
const index = z
  .int()
  .min(0)
  .max(MAX_ITEMS - 1);

/** How the images of a folder are normalised; omitted fields take the loader's defaults. */
const folderOptions = {
  /** Size every image is brought to, aspect kept by padding; omitted = the most common size in the folder. */
  size: z
    .object({ width: intBetween({ min: 1, max: MAX_IMAGE_SIDE }), height: intBetween({ min: 1, max: MAX_IMAGE_SIDE }) })
    .optional(),
  /** Convert colour images to one grayscale channel even when the data has colour. */
  grayscale: z.boolean().optional(),
};

/** Where a dataset comes from. */
export const DatasetSourceSchema = z.discriminatedUnion('kind', [
  /** The bundled MNIST (train + test, 70,000 images); `limit` takes the first N. */
  z.object({ kind: z.literal('mnist'), limit: intBetween({ min: 1, max: MAX_ITEMS }).optional() }),
  /** A folder on the engine's machine (or a CSV/.npy/IDX file), read with the given options. */
  z.object({
    kind: z.literal('folder'),
    path: filePath,
    limit: intBetween({ min: 1, max: MAX_ITEMS }).optional(),
    ...folderOptions,
  }),
]);
export type DatasetSource = z.output<typeof DatasetSourceSchema>;
export type FolderOptions = Pick<Extract<DatasetSource, { kind: 'folder' }>, 'size' | 'grayscale'>;

/** Hyper-parameters of one training run. Omitted fields take the model's defaults. */
export const TrainParamsSchema = z.object({
  model: z.enum(MODEL_KINDS),
  epochs: intBetween(LIMITS.epochs).optional(),
  batchSize: intBetween(LIMITS.batchSize).optional(),
  learningRate: between(LIMITS.learningRate).optional(),
  /** Size of the code (latent) vector, for the kinds where it is free. */
  codeSize: intBetween(LIMITS.codeSize).optional(),
  /** Denoising only: standard deviation of the training noise added to the inputs, 0–1 (default 0.5). */
  noiseLevel: unit.optional(),
  /** Sparse only: weight of the L1 penalty on the code's activations, 0–1 (default 1e-4). */
  l1: unit.optional(),
  /** Fraction of the data held out for validation loss (0 disables). */
  validationSplit: between(LIMITS.validationSplit).optional(),
  seed: seed.optional(),
});
export type TrainParams = z.output<typeof TrainParamsSchema>;

/** Parameters of one projection run. */
export const ProjectParamsSchema = z.object({
  method: z.enum(['tsne', 'pca', 'umap']),
  perplexity: between(LIMITS.perplexity).optional(),
  iterations: intBetween(LIMITS.iterations).optional(),
  seed: seed.optional(),
  /** What to project: the autoencoder's codes (default) or raw pixels. */
  input: z.enum(['codes', 'pixels']).optional(),
  /**
   * Reduce the input to this many principal components first, when it has more dimensions: t-SNE of the pixels
   * runs on PCA-50, as the references (scikit-learn, FIt-SNE) do. The metrics are still measured on the input.
   */
  pcaComponents: intBetween(LIMITS.pcaComponents).optional(),
});
export type ProjectParams = z.output<typeof ProjectParamsSchema>;

/** Plain JSON of at most MAX_VIEW_JSON characters (nesting that JSON cannot write is refused too). */
function jsonSize(v: unknown): number {
  try {
    return JSON.stringify(v).length;
  } catch {
    return Infinity;
  }
}

/** The front end's view state stored in a session (camera, hidden classes...): small plain JSON. */
export const SessionViewSchema = z
  .record(z.string().max(MAX_ID_LENGTH), z.unknown())
  .refine((v) => jsonSize(v) <= MAX_VIEW_JSON, { message: `must be plain JSON under ${MAX_VIEW_JSON / 1000} kB` });
export type SessionView = Record<string, unknown>;

/** Standard base64 of at most `maxValues` 4-byte values (4 characters per 3 bytes, padded), a whole number of them. */
const base64Int32 = (maxValues: number) =>
  z
    .string()
    .max(4 * Math.ceil((maxValues * 4) / 3))
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'must be base64' })
    .refine((s) => s.length % 4 === 0 && ((s.length / 4) * 3 - (s.match(/=*$/)?.[0].length ?? 0)) % 4 === 0, {
      message: 'must be base64 of whole 32-bit integers',
    });

/**
 * One schema per command, keyed by its `type`. Long jobs carry a `jobId` that
 * progress, results and errors echo (and `cancel` names); one-shot requests
 * carry a `requestId`.
 */
export const COMMAND_SCHEMAS = {
  hello: z.object({}),
  loadDataset: z.object({ jobId: id, source: DatasetSourceSchema }),
  train: z.object({ jobId: id, params: TrainParamsSchema }),
  project: z.object({ jobId: id, params: ProjectParamsSchema }),
  cancel: z.object({ jobId: id }),
  /**
   * One item with its reconstruction. `noiseLevel` (0 to 1, denoising model
   * only) sets the noise of the noisy input the card shows; default: the
   * level the model was trained with.
   */
  getItem: z.object({ requestId: id, index, noiseLevel: unit.optional() }),
  /**
   * The trained VAE's decoded latent plane (2-d latent only): a size×size grid
   * at the standard normal's quantiles, MANIFOLD_MIN_SIZE to MANIFOLD_MAX_SIZE
   * a side (default MANIFOLD_DEFAULT_SIZE).
   */
  getManifold: z.object({
    requestId: id,
    size: intBetween({ min: MANIFOLD_MIN_SIZE, max: MANIFOLD_MAX_SIZE }).optional(),
  }),
  /**
   * `rows`: only these items, in this order (e.g. a selection), as base64 of
   * an Int32Array (`encodeI32`), so a selection of every point stays a few
   * MB; default all. `columns`: optional extra columns. `path`: the engine
   * writes the file (desktop, CLI); without it the CSV text comes back.
   */
  exportCsv: z.object({
    requestId: id,
    path: filePath.optional(),
    rows: base64Int32(MAX_ITEMS).optional(),
    columns: z
      .array(z.enum(CSV_COLUMNS))
      .max(CSV_COLUMNS.length)
      .refine((c) => new Set(c).size === c.length, { message: 'must not repeat a column' })
      .optional(),
  }),
  /** k-means on the autoencoder's codes (the pixels before training). */
  cluster: z.object({ jobId: id, k: intBetween(LIMITS.clusters), seed: seed.optional() }),
  /** Small images of some items, for grids; at most MAX_THUMBNAILS per request. */
  getThumbnails: z.object({
    requestId: id,
    indices: z.array(index).max(MAX_THUMBNAILS),
    maxSide: intBetween(LIMITS.thumbnailSide).optional(),
  }),
  /** Items whose index equals, or whose file name contains, the query. */
  search: z.object({
    requestId: id,
    query: z
      .string()
      .max(200)
      .refine((q) => q.trim().length > 0, { message: 'must not be empty' }),
    limit: intBetween(LIMITS.searchLimit).optional(),
  }),
  /**
   * The k nearest items to `index` in code space (the trained model's codes;
   * the pixels before any model), nearest first, with the k nearest on the
   * engine's current map, so a front end can say how many neighbours the map keeps.
   */
  neighbors: z.object({ requestId: id, index, k: intBetween(LIMITS.neighbors).optional() }),
  /** Saves dataset reference, model weights, codes, projection and `view` to one file (atomically). */
  saveSession: z.object({ requestId: id, path: filePath, view: SessionViewSchema.optional() }),
  /** Reopens a session without retraining; a bad file changes nothing. */
  openSession: z.object({ jobId: id, path: filePath }),
} as const;

export type CommandType = keyof typeof COMMAND_SCHEMAS;
/** zod types an empty object as an index signature of never; it stands for "no fields". */
type NoIndex<T> = string extends keyof T ? Record<never, never> : T;
/** The arguments of one command: its fields without `type`. */
export type CommandArgs<K extends CommandType> = NoIndex<z.output<(typeof COMMAND_SCHEMAS)[K]>>;
/** One command of type K, as it travels. */
export type CommandOf<K extends CommandType> = { type: K } & CommandArgs<K>;
export type Command = { [K in CommandType]: CommandOf<K> }[CommandType];

/** The command types, in declaration order. */
export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as CommandType[];

/** The job or request an untrusted command names, where its ids are usable strings. */
export interface CommandIds {
  jobId?: string;
  requestId?: string;
}

/**
 * The ids of an untrusted command, however malformed the rest is, so that a
 * refusal answers the job or request it refuses (the page ends that job
 * instead of waiting for an answer that never comes).
 */
export function commandIds(raw: unknown): CommandIds {
  const ids: CommandIds = {};
  if (typeof raw !== 'object' || raw === null) return ids;
  for (const key of ['jobId', 'requestId'] as const) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH) ids[key] = v;
  }
  return ids;
}

/** The result of checking an untrusted command; a refusal carries the ids it answers. */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; message: string; ids: CommandIds };

function describeIssues(type: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${type}: ${i.path.length > 0 ? i.path.join('.') : 'command'}: ${i.message}`)
    .join('; ');
}

/**
 * Checks an untrusted value against its command's schema. On success the
 * command holds only the declared fields (unknown ones are dropped, however
 * deep), so it is safe to forward; on failure the message names the command,
 * the field and the limit.
 */
export function parseCommand(raw: unknown): ParsedCommand {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, message: 'command must be an object', ids: {} };
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_SCHEMAS, type))
    // Not String(type): a deeply nested array as `type` overflows the stack when turned into text.
    return {
      ok: false,
      ids: commandIds(raw),
      message:
        typeof type === 'string'
          ? `unknown command type "${type.slice(0, 40)}"`
          : `command type must be a string, not ${Array.isArray(type) ? 'an array' : type === null ? 'null' : typeof type}`,
    };
  const result = COMMAND_SCHEMAS[type as CommandType].safeParse(raw);
  if (!result.success) return { ok: false, message: describeIssues(type, result.error), ids: commandIds(raw) };
  return { ok: true, command: { type, ...result.data } as Command };
}

/** Checks an untrusted command; returns an error message or null. Prefer parseCommand, which also strips. */
export function validateCommand(raw: unknown): string | null {
  const parsed = parseCommand(raw);
  return parsed.ok ? null : parsed.message;
}
