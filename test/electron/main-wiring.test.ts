/**
 * The main process's wiring, run against a fake `electron` module (the
 * binary is not needed): the scheme, sandbox, window options, page URL,
 * menu, and the path from a window message to the utility-process engine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => {
  const rec = {
    calls: [] as string[],
    appHandlers: new Map<string, (...a: unknown[]) => void>(),
    ipcHandlers: new Map<string, (...a: unknown[]) => void>(),
    invokeHandlers: new Map<string, (...a: unknown[]) => Promise<unknown>>(),
    saveDialogs: [] as unknown[],
    windows: [] as { options: Record<string, unknown>; url?: string; webContents: { id: number; sent: unknown[][] } }[],
    forks: [] as { modulePath: string; messages: unknown[] }[],
    menu: null as unknown,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, unknown>(),
    userData: '',
  };
  return rec;
});

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {
      id: 1,
      sent: [] as unknown[][],
      isDestroyed: () => false,
      send: (...a: unknown[]) => this.webContents.sent.push(a),
      on: () => {},
      setWindowOpenHandler: () => {},
    };
    rec: (typeof h.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.rec = { options, webContents: this.webContents };
      h.windows.push(this.rec);
    }
    loadURL(url: string) {
      this.rec.url = url;
      return Promise.resolve();
    }
    once() {}
    on() {}
    maximize() {}
    isDestroyed = () => false;
  }
  return {
    app: {
      enableSandbox: () => h.calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      on: (event: string, fn: (...a: unknown[]) => void) => h.appHandlers.set(event, fn),
      whenReady: () => Promise.resolve(),
      getPath: () => h.userData,
      getVersion: () => '0.1.0',
      isPackaged: false,
      addRecentDocument: () => {},
      quit: () => h.calls.push('quit'),
      exit: () => h.calls.push('exit'),
    },
    BrowserWindow,
    dialog: {
      showErrorBox: (t: string, m: string) => h.calls.push(`error: ${m}`),
      showSaveDialog: (o: { defaultPath: string }) => {
        h.saveDialogs.push(o);
        return Promise.resolve({ canceled: false, filePath: `${h.userData}/${o.defaultPath}` });
      },
    },
    ipcMain: {
      on: (ch: string, fn: (...a: unknown[]) => void) => h.ipcHandlers.set(ch, fn),
      removeListener: () => {},
      handle: (ch: string, fn: (...a: unknown[]) => Promise<unknown>) => h.invokeHandlers.set(ch, fn),
      removeHandler: () => {},
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (h.menu = m) },
    nativeTheme: { themeSource: 'system' },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => h.schemes.push(...s),
      handle: (scheme: string, fn: unknown) => h.protocolHandlers.set(scheme, fn),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => h.calls.push('permissions'),
        setPermissionCheckHandler: () => {},
      },
    },
    shell: {
      openExternal: (url: string) => {
        h.calls.push(`openExternal ${url}`);
        return Promise.resolve();
      },
    },
    utilityProcess: {
      fork: (modulePath: string) => {
        const f = { modulePath, messages: [] as unknown[] };
        h.forks.push(f);
        return { postMessage: (m: unknown) => f.messages.push(m), on: () => {}, kill: () => true };
      },
    },
  };
});

beforeAll(async () => {
  h.userData = mkdtempSync(path.join(os.tmpdir(), 'aex-main-'));
  await import('../../src-main/electron/main.js');
  await vi.waitFor(() => expect(h.windows).toHaveLength(1));
});
afterAll(() => rmSync(h.userData, { recursive: true, force: true }));

describe('the main process wiring', () => {
  it('registers the app scheme before ready, sandboxes every renderer and denies permissions', () => {
    expect(h.schemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ bypassCSP: false }) }),
    ]);
    expect(h.calls).toContain('enableSandbox');
    expect(h.calls).toContain('permissions');
    expect(h.protocolHandlers.has('app')).toBe(true);
    expect(h.appHandlers.has('web-contents-created')).toBe(true);
  });

  it('guards every web contents: a foreign link never reaches shell.openExternal', () => {
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = { on: () => {}, setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn) };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    h.appHandlers.get('web-contents-created')!({}, contents);
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(h.calls.filter((c) => c.startsWith('openExternal'))).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/refused to open https:\/\/example\.com\//));
    warn.mockRestore();
  });

  it('opens one secure window on the app page with the sandboxed preload', () => {
    const w = h.windows[0];
    expect(w.url).toBe('app://ae-explorer/index.html');
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String((w.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
    expect(w.options).toMatchObject({ width: 1280, height: 840, show: false });
  });

  it('sets the menu with File, Edit, View and Help', () => {
    expect((h.menu as { label?: string; role?: string }[]).map((m) => m.label ?? m.role)).toEqual([
      '&File',
      'editMenu',
      '&View',
      '&Help',
    ]);
  });

  it('starts the engine in a utility process on the first valid window message and forwards it', () => {
    const onCommand = h.ipcHandlers.get('ae-explorer:command')!;
    onCommand(
      { sender: { id: 1 }, senderFrame: { url: 'app://ae-explorer/index.html', parent: null } },
      { type: 'hello' },
    );
    expect(h.forks).toHaveLength(1);
    expect(h.forks[0].modulePath).toMatch(/engine-worker\.js$/);
    expect(h.forks[0].messages).toEqual([{ type: 'hello' }]);
    onCommand({ sender: { id: 1 }, senderFrame: { url: 'https://evil.test/', parent: null } }, { type: 'hello' });
    expect(h.forks[0].messages).toHaveLength(1);
  });

  it('lets the window have a folder read only once the user dropped it', () => {
    const onCommand = h.ipcHandlers.get('ae-explorer:command')!;
    const ours = { sender: { id: 1 }, senderFrame: { url: 'app://ae-explorer/index.html', parent: null } };
    const load = { type: 'loadDataset', jobId: 'typed', source: { kind: 'folder', path: h.userData } };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sent = h.windows[0].webContents.sent;
    const before = h.forks[0].messages.length;
    onCommand(ours, load);
    expect(h.forks[0].messages).toHaveLength(before);
    expect(sent.at(-1)).toEqual([
      'ae-explorer:event',
      { type: 'error', jobId: 'typed', message: expect.stringMatching(/was not chosen/) },
    ]);
    h.ipcHandlers.get('ae-explorer:dropped')!(ours, h.userData);
    onCommand(ours, { ...load, jobId: 'dropped' });
    expect(h.forks[0].messages.at(-1)).toEqual({ ...load, jobId: 'dropped' });
    warn.mockRestore();
  });

  it('saves a PNG from the window where the save dialog says, and refuses one from elsewhere', async () => {
    const savePng = h.invokeHandlers.get('ae-explorer:save-png')!;
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const ours = { sender: { id: 1 }, senderFrame: { url: 'app://ae-explorer/index.html', parent: null } };
    await expect(savePng({ ...ours, sender: { id: 2 } }, png, 'map.png')).rejects.toThrow(/another web contents/);
    expect(h.saveDialogs).toHaveLength(0);
    const file = await savePng(ours, png, 'map.png');
    expect(file).toBe(path.join(h.userData, 'map.png'));
    expect(new Uint8Array(readFileSync(file as string))).toEqual(png);
  });
});
