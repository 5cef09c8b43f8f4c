import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { parseWebArgs, UsageError, WEB_USAGE } from '../../src-main/web/args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'dist', 'main', 'web.js');

describe('web command line', () => {
  it('serves on a free port and opens the browser by default', () => {
    expect(parseWebArgs([])).toEqual({ command: 'serve', port: 0, open: true });
  });

  it('takes --port and --no-open', () => {
    expect(parseWebArgs(['--port', '8123', '--no-open'])).toEqual({ command: 'serve', port: 8123, open: false });
    expect(parseWebArgs(['--port=0'])).toEqual({ command: 'serve', port: 0, open: true });
  });

  it('answers --help and -h with the usage, whatever else is given', () => {
    expect(parseWebArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseWebArgs(['-h', '--port', '1'])).toEqual({ command: 'help' });
    expect(WEB_USAGE).toMatch(/^Usage: npm run web -- \[options\]/);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['serve'], "Unexpected argument 'serve'"],
    [['--port'], "Option '--port <value>' argument missing"],
    [['--port', 'http'], '--port must be a port number from 0 to 65535, got "http"'],
    [['--port', '65536'], '--port must be a port number from 0 to 65535, got "65536"'],
    [['--port', '-1'], "Option '--port' argument is ambiguous"],
    [['--port', '80.5'], '--port must be a port number from 0 to 65535, got "80.5"'],
    [['--no-open=yes'], "Option '--no-open' does not take an argument"],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseWebArgs(argv)).toThrow(UsageError);
    expect(() => parseWebArgs(argv)).toThrow(message);
  });

  it('the built script prints its usage for --help and exits 0 without serving; an unknown flag exits 2', () => {
    if (!existsSync(WEB)) throw new Error('dist/ is missing: run `npm run build` first');
    const help = spawnSync(process.execPath, [WEB, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(WEB_USAGE + '\n');
    expect(help.stdout + help.stderr).not.toContain('is running at');
    const bad = spawnSync(process.execPath, [WEB, '--bogus'], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`ae-explorer web: Unknown option '--bogus'\n\n${WEB_USAGE}\n`);
    expect(bad.stdout).toBe('');
  });
});
