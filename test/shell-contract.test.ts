import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  CHANNELS,
  isFolderPath,
  isSessionRequest,
  isShellAction,
  SHELL_ACTIONS,
  viewProblem,
} from '../src-main/shell-contract.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('the shell contract', () => {
  it('imports nothing, so the sandboxed preload and the renderer can both compile it', () => {
    const text = readFileSync(path.join(ROOT, 'src-main', 'shell-contract.ts'), 'utf8');
    expect(text).not.toMatch(/^\s*import\s/m);
    expect(text).not.toMatch(/require\(/);
  });

  it('names every channel once, in the app namespace', () => {
    const names = Object.values(CHANNELS);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^ae-explorer:[a-z-]+$/);
  });

  it('is the one place main, preload and renderer take channel names and actions from', () => {
    const importers = ['src-main/electron/ipc.ts', 'src-main/electron/preload.ts', 'src-renderer/transport.ts'];
    for (const f of importers)
      expect(readFileSync(path.join(ROOT, f), 'utf8'), f).toMatch(/from '\.\.\/(src-main\/)?shell-contract\.js'/);
    // No side spells a channel name out by hand.
    for (const f of [...importers, 'src-main/electron/actions.ts', 'src-main/electron/page-requests.ts'])
      expect(readFileSync(path.join(ROOT, f), 'utf8'), f).not.toMatch(/'ae-explorer:/);
  });

  it('knows its menu actions and session requests, and nothing else', () => {
    for (const a of SHELL_ACTIONS) expect(isShellAction(a)).toBe(true);
    for (const bad of ['format-disk', '', null, 1, { action: 'reset-view' }]) expect(isShellAction(bad)).toBe(false);
    expect(isSessionRequest('open-session')).toBe(true);
    expect(isSessionRequest('delete-session')).toBe(false);
  });

  it('bounds paths and view states', () => {
    expect(isFolderPath('/data/cats')).toBe(true);
    for (const bad of ['', 'x'.repeat(4096), 'a\0b', 42, null]) expect(isFolderPath(bad)).toBe(false);
    expect(viewProblem({ zoom: 1 })).toBeNull();
    expect(viewProblem([1])).toMatch(/object/);
    expect(viewProblem({ big: 'x'.repeat(100_001) })).toMatch(/under 100 kB/);
  });
});
