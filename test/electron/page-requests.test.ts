import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { RendererTarget, SenderEvent } from '../../src-main/electron/ipc.js';
import { type IpcHandleLike, pngPayloadProblem, setupPageRequests } from '../../src-main/electron/page-requests.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real 4×3 PNG. */
function png(): Uint8Array {
  return new Uint8Array(PNG.sync.write({ width: 4, height: 3, data: Buffer.alloc(4 * 3 * 4, 200) }));
}

/** Fake ipcMain, window and dialog around the real handlers and the real atomic write. */
function setup(answer: { canceled: boolean; file?: string } = { canceled: false }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aex-png-'));
  dirs.push(dir);
  const handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => Promise<unknown>>();
  const listeners = new Map<string, (event: SenderEvent, ...args: unknown[]) => void>();
  const ipc: IpcHandleLike = {
    handle: (ch, h) => void handlers.set(ch, h),
    removeHandler: (ch) => void handlers.delete(ch),
    on: (ch, l) => listeners.set(ch, l),
    removeListener: (ch) => listeners.delete(ch),
  };
  const dialogs: { defaultPath?: string }[] = [];
  const target: RendererTarget = { id: 3, isDestroyed: () => false, send: () => {} };
  const warnings: string[] = [];
  const calls: string[] = [];
  const dropped: string[] = [];
  const dispose = setupPageRequests({
    ipc,
    dialog: {
      showSaveDialog: vi.fn(async (o: { defaultPath?: string }) => {
        dialogs.push(o);
        return { canceled: answer.canceled, filePath: answer.file ?? path.join(dir, o.defaultPath ?? 'x.png') };
      }),
    } as never,
    target: () => target,
    saveSessionDialog: () => calls.push('save'),
    openSession: () => calls.push('open'),
    warn: (m) => warnings.push(m),
    maxPngBytes: 1000,
    grants: { grantDropped: (p: string) => void dropped.push(p) },
  });
  const ours = (e: Partial<SenderEvent> = {}): SenderEvent => ({
    sender: { id: 3 },
    senderFrame: { url: 'app://ae-explorer/index.html', parent: null },
    ...e,
  });
  const savePng = (e: Partial<SenderEvent>, ...args: unknown[]) =>
    handlers.get('ae-explorer:save-png')!(ours(e), ...args);
  const session = (e: Partial<SenderEvent>, ...args: unknown[]) =>
    listeners.get('ae-explorer:session-request')!(ours(e), ...args);
  const drop = (e: Partial<SenderEvent>, ...args: unknown[]) => listeners.get('ae-explorer:dropped')!(ours(e), ...args);
  return { dir, dialogs, warnings, calls, dropped, savePng, session, drop, dispose, handlers, listeners };
}

describe('saving an exported PNG from the page', () => {
  it('writes the bytes where the save dialog says, atomically, leaving no temporary file', async () => {
    const t = setup();
    const bytes = png();
    const file = await t.savePng({}, bytes, 'map.png');
    expect(file).toBe(path.join(t.dir, 'map.png'));
    expect(new Uint8Array(readFileSync(file as string))).toEqual(bytes);
    expect(t.dialogs[0]).toMatchObject({ defaultPath: 'map.png' });
    expect(readdirSync(t.dir)).toEqual(['map.png']);
  });

  it('replaces an existing file whole', async () => {
    const t = setup();
    const target = path.join(t.dir, 'map.png');
    writeFileSync(target, 'an older, longer file that must not survive in part'.repeat(100));
    const bytes = png();
    await t.savePng({}, bytes, 'map.png');
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
    expect(readdirSync(t.dir)).toEqual(['map.png']);
  });

  it('adds .png to a name without it, and writes nothing when the dialog is cancelled', async () => {
    const t = setup({ canceled: true });
    await expect(t.savePng({}, png(), 'my map')).resolves.toBeNull();
    expect(t.dialogs[0]).toMatchObject({ defaultPath: 'my map.png' });
    expect(readdirSync(t.dir)).toEqual([]);
  });

  it('refuses bad payloads before any dialog, naming the problem', async () => {
    const t = setup();
    const bad: [unknown[], RegExp][] = [
      [['not bytes', 'map.png'], /Uint8Array/],
      [[Array.from(png()), 'map.png'], /Uint8Array/],
      [[png().buffer, 'map.png'], /Uint8Array/],
      [[new TextEncoder().encode('GIF89a not a png'), 'map.png'], /not a PNG/],
      [[new Uint8Array(1001).fill(0x89), 'map.png'], /1001 bytes; the most accepted is 1000/],
      [[png(), '../../etc/evil.png'], /plain file name/],
      [[png(), ''], /plain file name/],
      [[png(), 42], /plain file name/],
      [[png()], /expected the image and a name/],
    ];
    for (const [args, message] of bad) await expect(t.savePng({}, ...args)).rejects.toThrow(message);
    expect(t.dialogs).toEqual([]);
    expect(t.warnings).toHaveLength(bad.length);
    expect(readdirSync(t.dir)).toEqual([]);
  });

  it('refuses a PNG from another web contents, a subframe or a foreign page', async () => {
    const t = setup();
    await expect(t.savePng({ sender: { id: 9 } }, png(), 'map.png')).rejects.toThrow(/another web contents/);
    await expect(
      t.savePng({ senderFrame: { url: 'app://ae-explorer/index.html', parent: {} } }, png(), 'map.png'),
    ).rejects.toThrow(/subframe/);
    await expect(
      t.savePng({ senderFrame: { url: 'https://evil.test/', parent: null } }, png(), 'map.png'),
    ).rejects.toThrow(/foreign origin/);
    expect(t.dialogs).toEqual([]);
  });

  it('checks the payload with the same rules everywhere', () => {
    expect(pngPayloadProblem(png(), 'map.png')).toBeNull();
    expect(pngPayloadProblem(png(), 'a\\b.png')).toMatch(/plain file name/);
  });
});

describe('session requests from the page', () => {
  it('opens the native dialogs for our window only and for known requests only', () => {
    const t = setup();
    t.session({}, 'save-session');
    t.session({}, 'open-session');
    t.session({}, 'format-disk');
    t.session({}, { type: 'save-session' });
    t.session({ sender: { id: 9 } }, 'save-session');
    expect(t.calls).toEqual(['save', 'open']);
    expect(t.warnings).toHaveLength(3);
  });

  it('grants a dropped path reported by our window, and nothing from elsewhere or malformed', () => {
    const t = setup();
    t.drop({}, '/home/me/cats');
    t.drop({ senderFrame: { url: 'https://evil.test/', parent: null } }, '/home/me/.ssh');
    t.drop({ sender: { id: 9 } }, '/etc');
    t.drop({}, { path: '/etc' });
    t.drop({}, '');
    t.drop({}, '/a', '/b');
    expect(t.dropped).toEqual(['/home/me/cats']);
    expect(t.warnings).toHaveLength(5);
  });

  it('removes its handlers when disposed', () => {
    const t = setup();
    t.dispose();
    expect(t.handlers.size).toBe(0);
    expect(t.listeners.size).toBe(0);
  });
});
