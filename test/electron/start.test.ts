import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { electronBinary, MISSING_ELECTRON } from '../../src-main/tools/start.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('npm start', () => {
  it('looks for the Electron binary without starting a download (electron 45 downloads when required without one)', () => {
    const log = vi.spyOn(console, 'log');
    try {
      const bin = electronBinary();
      expect(bin === null || path.isAbsolute(bin)).toBe(true);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('names the missing Electron binary and web mode in one line', () => {
    expect(MISSING_ELECTRON).not.toContain('\n');
    expect(MISSING_ELECTRON).toMatch(/Electron binary is not installed/);
    expect(MISSING_ELECTRON).toContain('npm run web');
  });

  it.skipIf(electronBinary() !== null)('prints that line and exits with code 1 where Electron is not installed', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'src-main/tools/start.ts'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(MISSING_ELECTRON);
  });
});
