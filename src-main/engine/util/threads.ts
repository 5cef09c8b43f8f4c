import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * Starts a worker thread running the engine module `name` that sits beside
 * the caller — the one way the engine starts threads. `from` is the caller's
 * `import.meta.url`:
 * - built, every engine module is bundled into one file of dist/main, so
 *   `from` is that bundle and the worker is its sibling `name.js` (an entry of
 *   src-main/tools/build.ts); inside Electron's app.asar the path is read
 *   through Electron's asar support, which worker threads have (Electron ≥ 18);
 * - from source (tsx, vitest) it is `name.ts` beside the caller, loaded
 *   through tsx's loader, registered inside the new thread.
 * A file, not `Function.toString()` sources: the worker imports what it needs
 * like any module, whatever the bundler does to function bodies.
 */
export function startWorker(from: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const dir = path.dirname(fileURLToPath(from));
  const built = path.join(dir, `${name}.js`);
  if (existsSync(built)) return new Worker(pathToFileURL(built), options);
  const source = path.join(dir, `${name}.ts`);
  if (!existsSync(source)) throw new Error(`worker ${name}: neither ${built} nor ${source} exists`);
  const tsx = path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
  const boot =
    `import(${JSON.stringify(pathToFileURL(tsx).href)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
