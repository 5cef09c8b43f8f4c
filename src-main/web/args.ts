/**
 * Command-line parsing for `npm run web` (dist/main/web.js), pure so tests
 * can check every usage error. Same conventions as the CLI's: a usage error
 * (unknown option, missing or bad value) is a UsageError, exit code 2.
 */
import { parseArgs } from 'node:util';

import { UsageError } from '../cli/args.js';

export { UsageError };

export const WEB_USAGE = `Usage: npm run web -- [options]    (or: node dist/main/web.js [options])

Serves AE Explorer's interface on http://127.0.0.1 (this machine only) and
opens it in the default browser. The URL it prints carries the session token:
only a page opened with it can use the server.

Options:
  --port <n>    port on 127.0.0.1, 0 to 65535 (default 0: a free one)
  --no-open     print the URL but do not open a browser
  -h, --help    show this help

Exit codes: 0 stopped (Ctrl+C), 1 could not start (e.g. port in use), 2 usage error.`;

/** What the web front end was asked to do. */
export type WebArgs = { command: 'help' } | { command: 'serve'; /** 0 = any free port. */ port: number; open: boolean };

/** Parses argv (without node and the script); throws UsageError. */
export function parseWebArgs(argv: string[]): WebArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        'no-open': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const o = parsed.values;
  if (o.help) return { command: 'help' };
  let port = 0;
  if (o.port !== undefined) {
    port = /^\s*\d+\s*$/.test(o.port) ? Number(o.port) : NaN;
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
      throw new UsageError(`--port must be a port number from 0 to 65535, got "${o.port}"`);
  }
  return { command: 'serve', port, open: !o['no-open'] };
}
