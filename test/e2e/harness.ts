import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Browser, chromium } from 'playwright-core';

import { startWebServer, type WebServer } from '../../src-main/web/server.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');

/** Debian's Chromium, as installed by .ci/run; overridable for other machines. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags our machines need: no sandbox as root, no GPU, no background network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // WebGL through SwiftShader, since there is no GPU.
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

/** Launches headless Chromium with the machine's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Starts the built web server (run `npm run build` first) on a free port. */
export function startBuiltServer(): Promise<WebServer> {
  const dist = path.join(ROOT, 'dist');
  if (
    !existsSync(path.join(dist, 'main', 'engine-worker.js')) ||
    !existsSync(path.join(dist, 'renderer', 'index.html'))
  )
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests (npm test does)');
  return startWebServer({
    staticDir: path.join(dist, 'renderer'),
    workerPath: path.join(dist, 'main', 'engine-worker.js'),
  });
}
