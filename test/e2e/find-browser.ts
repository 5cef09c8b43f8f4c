/**
 * Which browser the end-to-end tests drive, found without a setup step:
 * 1. CHROMIUM_PATH when set: an explicit choice wins over anything found,
 *    and a wrong one is an error rather than silently replaced;
 * 2. Electron's own binary, which a normal `npm ci` downloads on macOS,
 *    Windows and Linux (Playwright drives it through `_electron`, and its
 *    Chromium loads the web-mode page like any browser);
 * 3. a system Chromium, Chrome or Edge in the usual places of the OS.
 * Pure over an injected file system and platform, so it is unit-tested
 * for every OS on any one.
 */
import path from 'node:path';

/** A browser to drive: Electron through Playwright's `_electron`, or a Chromium-based browser. */
export interface FoundBrowser {
  kind: 'electron' | 'chromium';
  executable: string;
  /** Why this one: shown in the test log. */
  source: string;
}

/** What the finder may look at (the real machine, or a fake in tests). */
export interface FinderEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  exists(file: string): boolean;
  /** require('electron')'s executable path when its binary is installed, else null. */
  electronBinary(): string | null;
}

/** Where Chromium, Chrome and Edge usually are on `platform`, most likely first. */
export function systemBrowserPaths(platform: NodeJS.Platform, env: FinderEnv['env']): string[] {
  if (platform === 'darwin') {
    const apps = [
      'Chromium.app/Contents/MacOS/Chromium',
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
    const roots = ['/Applications', ...(env.HOME ? [path.posix.join(env.HOME, 'Applications')] : [])];
    return roots.flatMap((r) => apps.map((a) => path.posix.join(r, a)));
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    const exes = [
      'Google\\Chrome\\Application\\chrome.exe',
      'Microsoft\\Edge\\Application\\msedge.exe',
      'Chromium\\Application\\chrome.exe',
    ];
    return exes.flatMap((e) => roots.map((r) => path.win32.join(r, e)));
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/usr/bin/microsoft-edge',
    '/usr/bin/microsoft-edge-stable',
    '/opt/microsoft/msedge/msedge',
  ];
}

/** How to get a browser on `platform`, for the one-line failure. */
function howToGetOne(platform: NodeJS.Platform): string {
  const system =
    platform === 'darwin'
      ? 'install Google Chrome or Chromium'
      : platform === 'win32'
        ? 'install Google Chrome (Edge comes with Windows)'
        : 'install Chromium (Debian/Ubuntu: apt-get install chromium)';
  return `run a normal \`npm ci\` with network access (it downloads Electron; not with ELECTRON_SKIP_BINARY_DOWNLOAD=1), or ${system}, or set CHROMIUM_PATH to a Chromium-based browser`;
}

/** The browser to use, or the one line saying what was looked for and how to get one. */
export function findBrowser(f: FinderEnv): { found: FoundBrowser } | { problem: string } {
  const explicit = f.env.CHROMIUM_PATH;
  if (explicit) {
    if (f.exists(explicit)) return { found: { kind: 'chromium', executable: explicit, source: 'CHROMIUM_PATH' } };
    return {
      problem: `CHROMIUM_PATH is set to ${explicit}, which does not exist: point it at a Chromium, Chrome or Edge executable, or unset it to let the tests find one`,
    };
  }
  const electron = f.electronBinary();
  if (electron && f.exists(electron))
    return { found: { kind: 'electron', executable: electron, source: "Electron's binary (node_modules/electron)" } };
  const candidates = systemBrowserPaths(f.platform, f.env);
  const system = candidates.find((c) => f.exists(c));
  if (system) return { found: { kind: 'chromium', executable: system, source: 'a system browser' } };
  return {
    problem: `No browser for the end-to-end tests: looked for Electron's binary (node_modules/electron/dist), then Chromium, Chrome or Edge at ${candidates.join(', ')}, and CHROMIUM_PATH is not set; ${howToGetOne(f.platform)}`,
  };
}
