/**
 * The web server's temporary folder: named with its pid, removed on close,
 * on Ctrl+C and SIGTERM of the built script, and by the next server when a
 * crash left it behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWebServer } from '../../src-main/web/server.js';
import { removeStaleTempDirs } from '../../src-main/web/temp-dir.js';
import { writeFakeEngine } from './fake-engine.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'dist', 'main', 'web.js');

let root: string;
let staticDir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ae-web-temp-'));
  staticDir = path.join(root, 'static');
  await mkdir(staticDir);
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has already ended. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid!;
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

const ours = async (tmp: string, pid: number) =>
  (await readdir(tmp)).filter((n) => n.startsWith(`ae-explorer-web-${pid}-`));

describe('web server temporary folders', () => {
  it('removes the folders of servers that are gone, keeps live ones and strangers, and its own on close', async () => {
    const tmp = await mkdtemp(path.join(root, 'tmp-'));
    const dead = path.join(tmp, `ae-explorer-web-${deadPid()}-Ab12Cd`);
    await mkdir(dead);
    await writeFile(path.join(dead, 'upload-x.aex'), 'left by a crash');
    const live = path.join(tmp, `ae-explorer-web-${process.pid}-Live01`);
    const init = path.join(tmp, 'ae-explorer-web-1-Init01');
    const stranger = path.join(tmp, 'ae-explorer-web-not-ours');
    for (const d of [live, init, stranger]) await mkdir(d);
    const server = await startWebServer({ staticDir, workerPath: await writeFakeEngine(root), tempRoot: tmp });
    expect(existsSync(dead)).toBe(false);
    for (const d of [live, init, stranger]) expect(existsSync(d), d).toBe(true);
    expect(path.basename(server.tempDir)).toMatch(new RegExp(`^ae-explorer-web-${process.pid}-`));
    expect(existsSync(server.tempDir)).toBe(true);
    await server.close();
    expect(existsSync(server.tempDir)).toBe(false);
    expect(await removeStaleTempDirs(tmp)).toEqual([]);
  });

  describe('the built script', () => {
    /** Starts dist/main/web.js with its temporary folders under `tmp`; resolves once it serves. */
    async function startScript(tmp: string): Promise<ChildProcess> {
      if (!existsSync(WEB)) throw new Error('dist/ is missing: run `npm run build` first');
      const child = spawn(process.execPath, [WEB, '--no-open'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      await expect.poll(() => out, { timeout: 30_000 }).toContain('is running at');
      return child;
    }
    const exited = (child: ChildProcess) =>
      new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));

    it.each(['SIGTERM', 'SIGINT'] as const)('removes its folder when stopped by %s', async (signal) => {
      const tmp = await mkdtemp(path.join(root, 'tmp-'));
      const child = await startScript(tmp);
      expect(await ours(tmp, child.pid!)).toHaveLength(1);
      const code = exited(child);
      child.kill(signal);
      expect(await code).toBe(0);
      expect(await ours(tmp, child.pid!)).toEqual([]);
    });

    it('leaves its folder when killed outright, and the next server removes it', async () => {
      const tmp = await mkdtemp(path.join(root, 'tmp-'));
      const first = await startScript(tmp);
      const code = exited(first);
      first.kill('SIGKILL');
      expect(await code).toBe('SIGKILL');
      expect(await ours(tmp, first.pid!)).toHaveLength(1);
      const second = await startScript(tmp);
      expect(await ours(tmp, first.pid!)).toEqual([]);
      expect(await ours(tmp, second.pid!)).toHaveLength(1);
      const done = exited(second);
      second.kill('SIGTERM');
      await done;
    });
  });
});
