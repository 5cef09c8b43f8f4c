/**
 * `npm run web`: serves the AE Explorer UI on 127.0.0.1 and opens it in the
 * default browser. Flags: --port N, --no-open.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startWebServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got "${args[portArg + 1]}"`);
  process.exit(2);
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log('(could not open a browser: open the URL above yourself)'));
    child.unref();
  } catch {
    console.log('(could not open a browser: open the URL above yourself)');
  }
}

const server = await startWebServer({
  staticDir: path.join(here, '..', 'renderer'),
  workerPath: path.join(here, 'engine-worker.js'),
  port,
});
console.log(`AE Explorer (web mode) is running at ${server.url}`);
console.log('Only this machine can reach it; the token in the URL is the key. Ctrl+C stops it.');
if (!args.includes('--no-open')) openBrowser(server.url);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
