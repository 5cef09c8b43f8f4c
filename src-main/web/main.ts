/**
 * `npm run web`: serves the AE Explorer UI on 127.0.0.1 and opens it in the
 * default browser. Flags: see WEB_USAGE (--port N, --no-open, --help).
 * Exit codes: 0 stopped, 1 could not start, 2 usage error.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseWebArgs, UsageError, WEB_USAGE, type WebArgs } from './args.js';
import { startWebServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

let args: WebArgs;
try {
  args = parseWebArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`ae-explorer web: ${e.message}\n\n${WEB_USAGE}\n`);
  process.exit(2);
}
if (args.command === 'help') {
  process.stdout.write(WEB_USAGE + '\n');
  process.exit(0);
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
  port: args.port,
}).catch((e: Error) => {
  process.stderr.write(`ae-explorer web: could not start: ${e.message}\n`);
  process.exit(1);
});
// close() stops the engine and removes the server's temporary folder. Registered before the URL is
// printed: whoever reads it (a user, a test) may stop the server at once.
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
console.log(`AE Explorer (web mode) is running at ${server.url}`);
console.log('Only this machine can reach it; the token in the URL is the key. Ctrl+C stops it.');
if (args.open) openBrowser(server.url);
