/**
 * `ae-explorer`: the engine, headless. `embed` loads a dataset, trains an
 * autoencoder, projects the codes and writes the projections CSV (and a
 * session if asked), with progress bars on stderr.
 * Exit codes: 0 done, 1 bad input, 2 usage error, 130 interrupted.
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { Command, EngineEvent } from '../protocol.js';
import { type EmbedArgs, parseCli, USAGE, UsageError } from './args.js';
import { ProgressBars } from './progress.js';

/** Bad input (missing folder, unreadable data, engine error): exit code 1. */
class InputError extends Error {}

async function checkFolder(folder: string): Promise<void> {
  const s = await stat(folder).catch(() => null);
  if (!s) throw new InputError(`${folder}: no such folder (give a folder of images, or mnist)`);
  if (!s.isDirectory()) throw new InputError(`${folder}: not a folder (give a folder of images, or mnist)`);
}

async function embed(a: EmbedArgs): Promise<void> {
  const isMnist = a.dataset.toLowerCase() === 'mnist';
  if (!isMnist) await checkFolder(a.dataset);
  const out = path.resolve(a.out);
  await checkFolder(path.dirname(out)).catch(() => {
    throw new InputError(`${a.out}: the folder it would go in does not exist`);
  });
  const log = (s: string) => process.stderr.write(s + '\n');
  const bars = a.quiet ? null : new ProgressBars(process.stderr);
  let current = '';
  // Loaded here, not at the top: TensorFlow.js takes seconds to load, and --help or a usage error should not wait.
  const { Engine } = await import('../engine/engine.js');
  const errors = new Map<string, string>();
  const results = new Map<string, EngineEvent>();
  const engine = new Engine((e) => {
    if (e.type === 'progress') bars?.update(e.progress);
    else if (e.type === 'error') errors.set(e.jobId ?? e.requestId ?? '', e.message);
    else if (e.type === 'log') log(`${e.level}: ${e.message}`);
    else if (e.type === 'projection' && !e.final) return;
    else if ('jobId' in e) results.set(`${e.type}:${e.jobId}`, e);
    else if ('requestId' in e) results.set(`${e.type}:${e.requestId}`, e);
    else results.set(`${e.type}:${current}`, e);
  });
  process.once('SIGINT', () => {
    bars?.done();
    log('interrupted');
    if (current) void engine.handle({ type: 'cancel', jobId: current });
    process.exit(130);
  });
  /** Runs one command; an engine error for it becomes an InputError. */
  const run = async <T extends EngineEvent['type']>(command: Command, id: string, expect: T) => {
    current = id;
    await engine.handle(command);
    current = '';
    bars?.done();
    const err = errors.get(id) ?? errors.get('');
    if (err) throw new InputError(err);
    const r = results.get(`${expect}:${id}`);
    if (!r) throw new InputError(`${command.type} ended without a result`);
    return r as Extract<EngineEvent, { type: T }>;
  };

  const ready = await run({ type: 'hello' }, 'hello', 'ready');
  log(`backend: ${ready.backend}${ready.backendNotes.length ? ` (${ready.backendNotes.join('; ')})` : ''}`);

  const source = isMnist
    ? { kind: 'mnist' as const, ...(a.limit ? { limit: a.limit } : {}) }
    : {
        kind: 'folder' as const,
        path: path.resolve(a.dataset),
        ...(a.limit ? { limit: a.limit } : {}),
        ...(a.size ? { size: a.size } : {}),
        ...(a.grayscale ? { grayscale: true } : {}),
      };
  const loaded = await run({ type: 'loadDataset', jobId: 'load', source }, 'load', 'datasetLoaded');
  const info = loaded.info;
  log(
    `dataset: ${info.name}, ${info.n} images ${info.height}×${info.width}×${info.channels}, ${info.classNames.length} classes${info.skipped.length ? `, ${info.skipped.length} files skipped` : ''}`,
  );
  for (const note of info.notes) log(`  ${note}`);
  for (const s of info.skipped.slice(0, 5)) log(`  skipped ${s.file}: ${s.reason}`);
  if (info.skipped.length > 5) log(`  … and ${info.skipped.length - 5} more skipped`);
  if (info.n < 2) throw new InputError(`${a.dataset}: found ${info.n} usable image(s); at least 2 are needed`);

  const trained = await run(
    {
      type: 'train',
      jobId: 'train',
      params: {
        model: a.model,
        ...(a.epochs !== undefined ? { epochs: a.epochs } : {}),
        ...(a.codeSize !== undefined ? { codeSize: a.codeSize } : {}),
        seed: a.seed,
        ...(a.batchSize ? { batchSize: a.batchSize } : {}),
        ...(a.learningRate !== undefined ? { learningRate: a.learningRate } : {}),
        ...(a.noiseLevel !== undefined ? { noiseLevel: a.noiseLevel } : {}),
        ...(a.l1 !== undefined ? { l1: a.l1 } : {}),
      },
    },
    'train',
    'trained',
  );
  const lastEpoch = trained.epochs.at(-1);
  log(
    `trained ${trained.model}: ${trained.epochs.length} epoch(s)${lastEpoch ? `, loss ${lastEpoch.loss.toFixed(4)}` : ''}, code size ${trained.codeSize}, mean error ${trained.meanError.toFixed(4)}`,
  );

  const projection = await run(
    {
      type: 'project',
      jobId: 'project',
      params: {
        method: a.method,
        perplexity: a.perplexity,
        seed: a.seed,
        ...(a.iterations ? { iterations: a.iterations } : {}),
      },
    },
    'project',
    'projection',
  );
  const m = projection.metrics;
  log(
    `${a.method === 'tsne' ? 't-SNE' : 'PCA'}: ${projection.seconds?.toFixed(1) ?? '?'} s` +
      (projection.kl !== undefined ? `, KL ${projection.kl.toFixed(3)}` : '') +
      (m?.knnAccuracy !== undefined ? `, 10-NN accuracy ${m.knnAccuracy.toFixed(3)}` : '') +
      (m?.trustworthiness !== undefined ? `, trustworthiness ${m.trustworthiness.toFixed(3)}` : ''),
  );

  const csv = await run({ type: 'exportCsv', requestId: 'csv', path: out }, 'csv', 'csv');
  process.stdout.write(`wrote ${csv.rows} rows to ${out}\n`);
  if (a.saveSession) {
    const file = path.resolve(a.saveSession);
    const saved = await run({ type: 'saveSession', requestId: 'session', path: file }, 'session', 'sessionSaved');
    process.stdout.write(`saved the session (${(saved.bytes / 1e6).toFixed(1)} MB) to ${file}\n`);
  }
}

function version(): string {
  // dist/main/cli.js and src-main/cli/main.ts are both two folders below package.json.
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.command === 'help') process.stdout.write(USAGE + '\n');
    else if (args.command === 'version') process.stdout.write(`ae-explorer ${version()}\n`);
    else await embed(args);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ae-explorer: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`ae-explorer: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
