import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';

import { aboutDetail, type MenuActions, menuTemplate } from '../../src-main/electron/menu.js';
import { addRecent, DEFAULT_SETTINGS, fitBounds, MAX_RECENT, parseSettings } from '../../src-main/electron/settings.js';

function actions(): MenuActions {
  return {
    openFolder: vi.fn(),
    openSession: vi.fn(),
    saveSession: vi.fn(),
    exportCsv: vi.fn(),
    exportPng: vi.fn(),
    openRecent: vi.fn(),
    clearRecent: vi.fn(),
    setTheme: vi.fn(),
    resetView: vi.fn(),
    about: vi.fn(),
  };
}
const sub = (m: MenuItemConstructorOptions[], label: string) =>
  (m.find((i) => i.label?.replace('&', '') === label)?.submenu ?? []) as MenuItemConstructorOptions[];
const item = (m: MenuItemConstructorOptions[], label: string) => m.find((i) => i.label === label)!;
const click = (i: MenuItemConstructorOptions) => (i.click as () => void)();

describe('application menu', () => {
  it('has the File items, each wired to its action', () => {
    const a = actions();
    const m = menuTemplate(a, { recent: [], theme: 'system', isMac: false, devTools: false });
    const file = sub(m, 'File');
    expect(file.filter((i) => i.label).map((i) => i.label)).toEqual([
      'Open Dataset Folder…',
      'Open Session…',
      'Recent',
      'Save Session…',
      'Export Projections CSV…',
      'Export Map PNG…',
    ]);
    click(item(file, 'Open Dataset Folder…'));
    click(item(file, 'Export Projections CSV…'));
    click(item(file, 'Save Session…'));
    expect(a.openFolder).toHaveBeenCalledOnce();
    expect(a.exportCsv).toHaveBeenCalledOnce();
    expect(a.saveSession).toHaveBeenCalledOnce();
    expect(file.at(-1)).toEqual({ role: 'quit' });
  });

  it('lists recent folders and sessions and reopens them', () => {
    const a = actions();
    const recent = [
      { kind: 'session' as const, path: '/s/a.aex' },
      { kind: 'folder' as const, path: '/data/cats' },
    ];
    const r = sub(sub(menuTemplate(a, { recent, theme: 'dark', isMac: false, devTools: false }), 'File'), 'Recent');
    expect(r.map((i) => i.label ?? i.type)).toEqual([
      'Session: /s/a.aex',
      'Folder: /data/cats',
      'separator',
      'Clear Recent',
    ]);
    click(r[1]);
    expect(a.openRecent).toHaveBeenCalledWith(recent[1]);
  });

  it('has View (themes, reset) and Help (about); the current theme is checked', () => {
    const a = actions();
    const m = menuTemplate(a, { recent: [], theme: 'dark', isMac: false, devTools: true });
    const themes = sub(sub(m, 'View'), 'Theme');
    expect(themes.map((t) => [t.label, t.checked])).toEqual([
      ['Follow System', false],
      ['Light', false],
      ['Dark', true],
    ]);
    click(themes[1]);
    expect(a.setTheme).toHaveBeenCalledWith('light');
    click(item(sub(m, 'View'), 'Reset View'));
    expect(a.resetView).toHaveBeenCalled();
    expect(sub(m, 'View').some((i) => i.role === 'toggleDevTools')).toBe(true);
    click(item(sub(m, 'Help'), 'About AE Explorer'));
    expect(a.about).toHaveBeenCalled();
    expect(
      menuTemplate(a, { recent: [], theme: 'dark', isMac: false, devTools: false })
        .flatMap((x) => (x.submenu ?? []) as MenuItemConstructorOptions[])
        .some((i) => i.role === 'toggleDevTools'),
    ).toBe(false);
  });

  it('puts About and Quit in the app menu on macOS', () => {
    const m = menuTemplate(actions(), { recent: [], theme: 'system', isMac: true, devTools: false });
    expect(m[0].label).toBe('AE Explorer');
    expect(sub(m, 'File').some((i) => i.role === 'quit')).toBe(false);
  });

  it('about names every version and the TF.js backend', () => {
    const text = aboutDetail(
      '0.1.0',
      { electron: '38.8.6', chrome: '140', node: '22.20', v8: '14' },
      {
        backend: 'wasm',
        backendNotes: ['tfjs-node: not installed'],
        versions: { tfjs: '4.22.0' },
      },
    );
    expect(text).toContain('AE Explorer 0.1.0');
    expect(text).toContain('Electron 38.8.6');
    expect(text).toContain('TensorFlow.js 4.22.0, backend: wasm');
    expect(text).toContain('tfjs-node: not installed');
    expect(aboutDetail('0.1.0', {}, null)).toMatch(/engine has not started/);
  });
});

describe('settings', () => {
  it('keeps the well-formed parts of a damaged file and defaults the rest', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('{not json')).toEqual(DEFAULT_SETTINGS);
    const s = parseSettings(
      JSON.stringify({
        window: { bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true },
        theme: 'purple',
        recent: [{ kind: 'folder', path: '/a' }, { kind: 'url', path: 'http://x' }, 'junk'],
      }),
    );
    expect(s).toEqual({
      window: { bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true },
      theme: 'system',
      recent: [{ kind: 'folder', path: '/a' }],
    });
    expect(parseSettings(JSON.stringify({ window: { bounds: { width: 10, height: 10 } } })).window.bounds).toEqual(
      DEFAULT_SETTINGS.window.bounds,
    );
  });

  it('keeps recent entries unique, newest first, at most MAX_RECENT', () => {
    let r = [] as ReturnType<typeof addRecent>;
    for (let i = 0; i < 12; i++) r = addRecent(r, { kind: 'folder', path: `/d${i}` });
    r = addRecent(r, { kind: 'folder', path: '/d5' });
    expect(r).toHaveLength(MAX_RECENT);
    expect(r[0].path).toBe('/d5');
    expect(r.filter((x) => x.path === '/d5')).toHaveLength(1);
  });

  it('brings a window back onto a display that still exists', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(fitBounds({ x: 100, y: 100, width: 1280, height: 800 }, displays)).toEqual({
      x: 100,
      y: 100,
      width: 1280,
      height: 800,
    });
    // Saved on a second monitor that is gone: the OS places it, size clamped.
    expect(fitBounds({ x: 3000, y: 100, width: 2500, height: 800 }, displays)).toEqual({ width: 1920, height: 800 });
  });
});
