import { describe, expect, it, vi } from 'vitest';

import type { EngineProcess } from '../../src-main/electron/engine-host.js';
import {
  EngineBridge,
  type IpcMainLike,
  type RendererTarget,
  type SenderEvent,
  senderProblem,
} from '../../src-main/electron/ipc.js';
import { PathGrants } from '../../src-main/electron/path-grants.js';
import { encodeI32, type EngineEvent } from '../../src-main/protocol.js';
import { CHANNELS } from '../../src-main/shell-contract.js';

/** A fake ipcMain, window and engine process, recording what crosses them. */
function setup(options: { onExportRequest?: (c: unknown) => void; grants?: PathGrants } = {}) {
  const channels = new Map<string, (event: SenderEvent, ...args: unknown[]) => void>();
  const ipc: IpcMainLike = {
    on: (channel, l) => void channels.set(channel, l),
    removeListener: (channel) => void channels.delete(channel),
  };
  const toEngine: unknown[] = [];
  const engineHandlers: Record<string, (...a: never[]) => void> = {};
  const spawnEngine = vi.fn((): EngineProcess => ({
    postMessage: (m: unknown) => toEngine.push(m),
    on: (event: string, l: (...a: never[]) => void) => (engineHandlers[event] = l),
    kill: () => true,
  }));
  const toWindow: [string, EngineEvent][] = [];
  const target: RendererTarget = {
    id: 7,
    isDestroyed: () => false,
    send: (channel, e) => toWindow.push([channel, e as EngineEvent]),
  };
  const warnings: string[] = [];
  const bridge = new EngineBridge({ ipc, spawnEngine, warn: (m: string) => warnings.push(m), ...options } as never);
  bridge.attach(target);
  const on =
    (channel: string) =>
    (event: Partial<SenderEvent>, ...args: unknown[]) =>
      channels.get(channel)!(
        { sender: { id: 7 }, senderFrame: { url: 'app://ae-explorer/index.html', parent: null }, ...event },
        ...args,
      );
  const fromWindow = on(CHANNELS.command);
  const viewFromWindow = on('ae-explorer:view');
  return { bridge, toEngine, toWindow, warnings, fromWindow, viewFromWindow, spawnEngine, engineHandlers };
}

describe('IPC from the window to the engine', () => {
  it('forwards a well-formed command from our top frame to the engine process', () => {
    const t = setup();
    t.fromWindow({}, { type: 'loadDataset', jobId: 'j1', source: { kind: 'mnist', limit: 500 } });
    expect(t.toEngine).toEqual([{ type: 'loadDataset', jobId: 'j1', source: { kind: 'mnist', limit: 500 } }]);
    expect(t.spawnEngine).toHaveBeenCalledTimes(1);
  });

  it('drops messages from other web contents, subframes, foreign origins and dead frames without answering', () => {
    const t = setup();
    const cmd = { type: 'hello' };
    t.fromWindow({ sender: { id: 8 } }, cmd);
    t.fromWindow({ senderFrame: { url: 'app://ae-explorer/index.html', parent: {} } }, cmd);
    t.fromWindow({ senderFrame: { url: 'https://evil.test/', parent: null } }, cmd);
    t.fromWindow({ senderFrame: { url: 'file:///tmp/x.html', parent: null } }, cmd);
    t.fromWindow({ senderFrame: null }, cmd);
    expect(t.toEngine).toEqual([]);
    expect(t.toWindow).toEqual([]);
    expect(t.warnings).toHaveLength(5);
    expect(t.warnings.join('\n')).toMatch(
      /another web contents[\s\S]*subframe[\s\S]*foreign origin \(https:\/\/evil.test\/\)[\s\S]*foreign origin[\s\S]*no longer exists/,
    );
  });

  it('rejects malformed payloads with an error event and never reaches the engine', () => {
    const t = setup();
    const bad: unknown[][] = [
      [null],
      ['hello'],
      [42],
      [{}],
      [{ type: 'rm -rf' }],
      [{ type: 'train', jobId: 'x', params: { model: 'nope' } }],
      [{ type: 'train', jobId: 'x', params: { model: 'deep', epochs: -1 } }],
      [{ type: 'getItem', requestId: 'r', index: 1.5 }],
      [{ type: 'loadDataset', jobId: 'x'.repeat(500), source: { kind: 'mnist' } }],
      [{ type: 'loadDataset', jobId: 'j', source: { kind: 'url', path: 'http://x' } }],
      [{ type: 'hello' }, { type: 'hello' }],
      [],
    ];
    for (const args of bad) t.fromWindow({}, ...args);
    expect(t.toEngine).toEqual([]);
    expect(t.toWindow).toHaveLength(bad.length);
    for (const [channel, e] of t.toWindow) {
      expect(channel).toBe(CHANNELS.event);
      expect(e).toMatchObject({ type: 'error', message: expect.stringMatching(/^bad command: /) });
    }
  });

  it('never lets the window name a file to write', () => {
    const onExportRequest = vi.fn();
    const t = setup({ onExportRequest });
    t.fromWindow({}, { type: 'exportCsv', requestId: 'c1', path: '/home/user/.bashrc' });
    t.fromWindow({}, { type: 'saveSession', requestId: 's1', path: '/tmp/x.aex' });
    expect(t.toEngine).toEqual([]);
    expect(onExportRequest).not.toHaveBeenCalled();
    expect(t.toWindow.map(([, e]) => (e as { message: string }).message)).toEqual([
      expect.stringMatching(/may not name a file/),
      expect.stringMatching(/Save Session/),
    ]);
    // Without a path, the main process asks where to save (a dialog) instead.
    const rows = encodeI32(Int32Array.from([1, 2]));
    t.fromWindow({}, { type: 'exportCsv', requestId: 'c2', rows });
    expect(onExportRequest).toHaveBeenCalledWith({ type: 'exportCsv', requestId: 'c2', rows });
    expect(t.toEngine).toEqual([]);
  });

  it('drops everything when no window is attached', () => {
    const t = setup();
    t.bridge.attach(null);
    t.fromWindow({}, { type: 'hello' });
    expect(t.toEngine).toEqual([]);
    expect(senderProblem({ sender: { id: 1 }, senderFrame: null }, null)).toMatch(/no window/);
  });
});

describe('IPC from the engine to the window', () => {
  it('relays events, remembers the backend, and restarts a crashed engine at once', () => {
    const t = setup();
    const seen: unknown[] = [];
    t.bridge.onEvent((e) => seen.push(e));
    t.bridge.send({ type: 'hello' });
    const ready: EngineEvent = { type: 'ready', backend: 'wasm', backendNotes: [], versions: { tfjs: '4.22.0' } };
    (t.engineHandlers.message as (m: unknown) => void)(ready);
    expect(t.toWindow).toEqual([[CHANNELS.event, ready]]);
    expect(seen).toEqual([ready]);
    expect(t.bridge.ready).toEqual(ready);
    (t.engineHandlers.exit as (c: number) => void)(3);
    // A fresh engine is running before the page hears of it, and has been told to start its backend.
    expect(t.spawnEngine).toHaveBeenCalledTimes(2);
    expect(t.toEngine).toEqual([{ type: 'hello' }, { type: 'hello' }]);
    const restarted = {
      type: 'engineRestarted',
      message: expect.stringMatching(
        /^the engine stopped \(exit code 3\); a new one was started — the loaded data and model were lost$/,
      ),
    };
    expect(t.toWindow.at(-1)![1]).toEqual(restarted);
    expect(seen.at(-1)).toEqual(restarted);
    // The old backend is gone with its engine, until the new one says ready.
    expect(t.bridge.ready).toBeNull();
    t.fromWindow({}, { type: 'loadDataset', jobId: 'j2', source: { kind: 'mnist', limit: 100 } });
    expect(t.toEngine.at(-1)).toEqual({ type: 'loadDataset', jobId: 'j2', source: { kind: 'mnist', limit: 100 } });
    expect(t.spawnEngine).toHaveBeenCalledTimes(2);
  });

  it('refuses to send a malformed command from the main process too', () => {
    const t = setup();
    expect(() => t.bridge.send({ type: 'getItem', requestId: 'r', index: -1 } as never)).toThrow(/bad command/);
    expect(t.toEngine).toEqual([]);
  });
});

describe('files the window may have the engine read', () => {
  it('refuses a folder or session the user did not choose, naming the path and how to choose it', () => {
    const t = setup({ grants: new PathGrants() });
    t.fromWindow({}, { type: 'loadDataset', jobId: 'j1', source: { kind: 'folder', path: '/home/me/.ssh' } });
    t.fromWindow({}, { type: 'openSession', jobId: 'j2', path: '/etc/other.aex' });
    expect(t.toEngine).toEqual([]);
    expect(t.spawnEngine).not.toHaveBeenCalled();
    expect(t.toWindow.map(([, e]) => e)).toEqual([
      {
        type: 'error',
        jobId: 'j1',
        message: expect.stringMatching(/\/home\/me\/\.ssh was not chosen: open it with File → Open Dataset Folder…/),
      },
      {
        type: 'error',
        jobId: 'j2',
        message: expect.stringMatching(/\/etc\/other\.aex was not chosen: .*Open Session…/),
      },
    ]);
    expect(t.warnings).toEqual([
      expect.stringMatching(/refused a command/),
      expect.stringMatching(/refused a command/),
    ]);
  });

  it('passes on what was granted, and MNIST, which names no path', () => {
    const grants = new PathGrants();
    grants.grant('/data/cats/');
    const t = setup({ grants });
    t.fromWindow({}, { type: 'loadDataset', jobId: 'j1', source: { kind: 'folder', path: '/data/./cats' } });
    t.fromWindow({}, { type: 'loadDataset', jobId: 'j2', source: { kind: 'mnist', limit: 100 } });
    expect(t.toEngine.map((c) => (c as { jobId: string }).jobId)).toEqual(['j1', 'j2']);
    expect(t.toWindow).toEqual([]);
  });
});

describe('view state from the window', () => {
  it('keeps a plain view from our window and drops the rest', () => {
    const t = setup();
    t.viewFromWindow({}, { zoom: 2, hidden: [1, 3] });
    expect(t.bridge.view).toEqual({ zoom: 2, hidden: [1, 3] });
    t.viewFromWindow({ senderFrame: { url: 'https://evil.test/', parent: null } }, { zoom: 9 });
    t.viewFromWindow({}, 'not an object');
    t.viewFromWindow({}, { big: 'x'.repeat(200_000) });
    t.viewFromWindow({}, [1, 2]);
    expect(t.bridge.view).toEqual({ zoom: 2, hidden: [1, 3] });
    expect(t.warnings).toHaveLength(4);
    expect(t.toEngine).toEqual([]);
  });
});
