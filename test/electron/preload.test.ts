import { beforeAll, describe, expect, it, vi } from 'vitest';

// The preload runs in Electron's sandbox; here `electron` is replaced by fakes
// that record what it exposes and sends.
const exposed = new Map<string, Record<string, unknown>>();
const sent: [string, unknown][] = [];
const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
/** The files webUtils was asked about; it answers as Electron does for a file on disk. */
const located: File[] = [];
const invoked: unknown[][] = [];
vi.mock('electron', () => ({
  webUtils: {
    getPathForFile: (f: File) => {
      located.push(f);
      // As Electron does for a File made by script: no path.
      return f.name === 'made-by-script' ? '' : `/home/me/${f.name}`;
    },
  },
  contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
  ipcRenderer: {
    send: (channel: string, payload: unknown) => sent.push([channel, payload]),
    invoke: (...a: unknown[]) => {
      invoked.push(a);
      return Promise.resolve('/chosen/map.png');
    },
    on: (channel: string, l: (...a: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel: string, l: (...a: unknown[]) => void) => listeners.get(channel)?.delete(l),
  },
}));

beforeAll(async () => {
  await import('../../src-main/electron/preload.js');
});

describe('preload', () => {
  it('exposes verb-named methods, and no raw IPC', () => {
    expect([...exposed.keys()].sort()).toEqual(['aeExplorer', 'aeExplorerShell']);
    const api = exposed.get('aeExplorer')!;
    for (const verb of [
      'hello',
      'loadDataset',
      'train',
      'project',
      'cancel',
      'getItem',
      'getManifold',
      'exportCsv',
      'saveSession',
      'openSession',
      'onEvent',
    ])
      expect(typeof api[verb], verb).toBe('function');
    for (const raw of ['send', 'invoke', 'on', 'ipcRenderer', 'postMessage']) expect(api[raw]).toBeUndefined();
    expect(Object.keys(exposed.get('aeExplorerShell')!)).toEqual([
      'onMenuAction',
      'setViewState',
      'pathForFile',
      'onOpenFolder',
      'saveSession',
      'openSession',
      'savePng',
    ]);
  });

  it('sends each verb as one validated command', () => {
    const api = exposed.get('aeExplorer') as unknown as {
      train(a: unknown): void;
      getItem(a: unknown): void;
    };
    api.train({ jobId: 't1', params: { model: 'deep', epochs: 2 }, extra: 'dropped' });
    expect(sent.at(-1)).toEqual([
      'ae-explorer:command',
      { type: 'train', jobId: 't1', params: { model: 'deep', epochs: 2 } },
    ]);
    const before = sent.length;
    expect(() => api.train({ jobId: 't2', params: { model: 'bogus' } })).toThrow(/params\.model/);
    expect(() => api.getItem({ requestId: 'r', index: -3 })).toThrow(/bad command: getItem: index/);
    expect(() => api.getItem({ requestId: 'r', index: 3, noiseLevel: 1.5 })).toThrow(/noiseLevel/);
    expect(sent.length).toBe(before);
  });

  it('hands listeners the event payload only, and unsubscribes', () => {
    const api = exposed.get('aeExplorer') as unknown as { onEvent(l: (...a: unknown[]) => void): () => void };
    const got: unknown[][] = [];
    const off = api.onEvent((...a) => got.push(a));
    const fakeIpcEvent = { sender: { send() {} }, ports: [] };
    for (const l of listeners.get('ae-explorer:event')!) l(fakeIpcEvent, { type: 'log', level: 'info', message: 'hi' });
    expect(got).toEqual([[{ type: 'log', level: 'info', message: 'hi' }]]);
    off();
    expect(listeners.get('ae-explorer:event')!.size).toBe(0);
  });

  it('passes on known menu actions only', () => {
    const shell = exposed.get('aeExplorerShell') as unknown as { onMenuAction(l: (a: string) => void): () => void };
    const got: string[] = [];
    shell.onMenuAction((a) => got.push(a));
    for (const l of listeners.get('ae-explorer:menu')!) {
      l({}, 'reset-view');
      l({}, 'format-disk');
      l({}, { evil: true });
    }
    expect(got).toEqual(['reset-view']);
  });

  it('sends a plain view state, and refuses anything else', () => {
    const shell = exposed.get('aeExplorerShell') as unknown as { setViewState(v: unknown): void };
    shell.setViewState({ zoom: 1.5 });
    expect(sent.at(-1)).toEqual(['ae-explorer:view', { zoom: 1.5 }]);
    const before = sent.length;
    expect(() => shell.setViewState('zoom')).toThrow(/must be an object/);
    expect(() => shell.setViewState({ big: 'x'.repeat(200_000) })).toThrow(/under 100 kB/);
    expect(sent.length).toBe(before);
  });

  it('tells where a dropped file is through webUtils, and refuses anything but a File', () => {
    const shell = exposed.get('aeExplorerShell') as unknown as { pathForFile(f: unknown): string };
    const dropped = new File([], 'cats');
    const before = sent.length;
    expect(shell.pathForFile(dropped)).toBe('/home/me/cats');
    expect(located).toEqual([dropped]);
    // Main hears of the drop first, so the page's loadDataset that follows finds the path granted.
    expect(sent.slice(before)).toEqual([['ae-explorer:dropped', '/home/me/cats']]);
    expect(() => shell.pathForFile('/etc/passwd')).toThrow(/needs a dropped File/);
    expect(() => shell.pathForFile(null)).toThrow(/needs a dropped File/);
    expect(() => shell.pathForFile({ path: '/x' })).toThrow(/needs a dropped File/);
    expect(located).toHaveLength(1);
    expect(shell.pathForFile(new File([], 'made-by-script'))).toBe('');
    expect(sent.slice(before)).toHaveLength(1);
  });

  it('hands the page folders picked in the menus, and nothing else', () => {
    const shell = exposed.get('aeExplorerShell') as unknown as { onOpenFolder(l: (p: string) => void): () => void };
    const got: string[] = [];
    const off = shell.onOpenFolder((p) => got.push(p));
    for (const l of listeners.get('ae-explorer:open-folder')!) {
      l({}, '/data/cats');
      l({}, '');
      l({}, { path: '/etc' });
      l({}, 'x'.repeat(5000));
    }
    expect(got).toEqual(['/data/cats']);
    off();
    expect(listeners.get('ae-explorer:open-folder')!.size).toBe(0);
  });

  it('asks main for the session dialogs and hands over PNG bytes, refusing anything but bytes', async () => {
    const shell = exposed.get('aeExplorerShell') as unknown as {
      saveSession(): void;
      openSession(): void;
      savePng(b: unknown, n: unknown): Promise<string | null>;
    };
    shell.saveSession();
    expect(sent.at(-1)).toEqual(['ae-explorer:session-request', 'save-session']);
    shell.openSession();
    expect(sent.at(-1)).toEqual(['ae-explorer:session-request', 'open-session']);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    await expect(shell.savePng(png, 'map.png')).resolves.toBe('/chosen/map.png');
    expect(invoked.at(-1)).toEqual(['ae-explorer:save-png', png, 'map.png']);
    expect(() => shell.savePng('not bytes', 'map.png')).toThrow(/Uint8Array/);
    expect(() => shell.savePng(png, 42)).toThrow(/file name/);
    expect(invoked).toHaveLength(1);
  });
});
