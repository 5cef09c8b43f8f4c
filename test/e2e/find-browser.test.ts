import { describe, expect, it } from 'vitest';

import { findBrowser, type FinderEnv, systemBrowserPaths } from './find-browser.js';

/** A machine with exactly these files, on `platform`. */
function machine(
  platform: NodeJS.Platform,
  files: string[],
  env: FinderEnv['env'] = {},
  electron: string | null = null,
): FinderEnv {
  const set = new Set(files);
  return { platform, env, exists: (f) => set.has(f), electronBinary: () => electron };
}

const ELECTRON = '/repo/node_modules/electron/dist/electron';

describe('finding a browser for the end-to-end tests', () => {
  it("takes Electron's binary when npm ci installed it, before a system browser", () => {
    expect(findBrowser(machine('linux', [ELECTRON, '/usr/bin/chromium'], {}, ELECTRON))).toEqual({
      found: { kind: 'electron', executable: ELECTRON, source: "Electron's binary (node_modules/electron)" },
    });
  });

  it('ignores an Electron path whose binary is not there', () => {
    const r = findBrowser(machine('linux', ['/usr/bin/chromium'], {}, ELECTRON));
    expect(r).toEqual({ found: { kind: 'chromium', executable: '/usr/bin/chromium', source: 'a system browser' } });
  });

  it('finds Chromium, Chrome or Edge where each OS puts them', () => {
    const cases: [NodeJS.Platform, FinderEnv['env'], string][] = [
      ['linux', {}, '/usr/bin/chromium-browser'],
      ['linux', {}, '/usr/bin/google-chrome-stable'],
      ['linux', {}, '/opt/microsoft/msedge/msedge'],
      ['darwin', {}, '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
      ['darwin', { HOME: '/Users/me' }, '/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium'],
      ['win32', { PROGRAMFILES: 'C:\\Program Files' }, 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'],
      [
        'win32',
        { 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)' },
        'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      ],
      [
        'win32',
        { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' },
        'C:\\Users\\me\\AppData\\Local\\Chromium\\Application\\chrome.exe',
      ],
    ];
    for (const [platform, env, file] of cases)
      expect(findBrowser(machine(platform, [file], env)), `${platform} ${file}`).toEqual({
        found: { kind: 'chromium', executable: file, source: 'a system browser' },
      });
  });

  it('prefers Chromium to Chrome to Edge on one machine', () => {
    const all = systemBrowserPaths('linux', {});
    expect(findBrowser(machine('linux', [...all].reverse()))).toMatchObject({
      found: { executable: '/usr/bin/chromium' },
    });
  });

  it('lets CHROMIUM_PATH win over everything, and refuses a CHROMIUM_PATH that does not exist', () => {
    const env = { CHROMIUM_PATH: '/opt/my/chrome' };
    expect(findBrowser(machine('linux', ['/opt/my/chrome', ELECTRON, '/usr/bin/chromium'], env, ELECTRON))).toEqual({
      found: { kind: 'chromium', executable: '/opt/my/chrome', source: 'CHROMIUM_PATH' },
    });
    const r = findBrowser(machine('linux', ['/usr/bin/chromium'], env));
    expect('problem' in r && r.problem).toMatch(/^CHROMIUM_PATH is set to \/opt\/my\/chrome, which does not exist/);
  });

  it('fails with one line naming every place it looked and how to get a browser', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const r = findBrowser(machine(platform, [], { PROGRAMFILES: 'C:\\Program Files' }));
      expect('problem' in r, platform).toBe(true);
      const line = (r as { problem: string }).problem;
      expect(line).not.toContain('\n');
      expect(line).toMatch(/^No browser for the end-to-end tests: looked for Electron's binary/);
      for (const p of systemBrowserPaths(platform, { PROGRAMFILES: 'C:\\Program Files' })) expect(line).toContain(p);
      expect(line).toMatch(/npm ci.*CHROMIUM_PATH/);
    }
    expect((findBrowser(machine('linux', [])) as { problem: string }).problem).toContain('apt-get install chromium');
  });
});
