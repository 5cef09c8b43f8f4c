/**
 * `npm start`: opens the desktop app. Runs after `npm run build`, so
 * dist/main/electron-main.cjs exists; this only finds the Electron binary and
 * launches it on the project folder (package.json "main" points at the build).
 * Where the binary is not installed (installs with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1, or a failed download), it says so in one
 * line and points to web mode, which serves the same UI in a browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The one line printed when Electron cannot be started. */
export const MISSING_ELECTRON =
  'The Electron binary is not installed (node_modules/electron has no dist/), so the desktop app cannot open here: run `npm run web` to use the same UI in your browser.';

/**
 * Path of the Electron executable, or null when the npm package has no binary.
 * Read from the package's own path.txt and dist/ rather than by requiring it:
 * Electron 45's package starts a download when it is required without its binary
 * (which, offline, waits for the network to fail).
 */
export function electronBinary(): string | null {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function main(): void {
  const bin = electronBinary();
  if (!bin) {
    console.error(MISSING_ELECTRON);
    process.exit(1);
  }
  const env = { ...process.env };
  // Set by some shells and tools; it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(bin, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
  child.on('error', (e) => {
    console.error(
      `Could not start Electron (${bin}): ${e.message}. Run \`npm run web\` to use the same UI in your browser.`,
    );
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => child.kill(s));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
