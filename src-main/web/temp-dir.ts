/**
 * The web server's temporary folder, through which session files pass. Its
 * name carries the owning process id (ae-explorer-web-<pid>-<random>), so a
 * server that crashed (or was killed) leaves nothing behind for long: the next
 * server removes folders whose process is gone. Its own folder is removed on
 * close and, as a last resort, when the process exits.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Prefix of every folder of this app in the temporary directory. */
export const TEMP_PREFIX = 'ae-explorer-web-';
const NAME = /^ae-explorer-web-(\d+)-[A-Za-z0-9]+$/;

/** True when a process with this id exists (possibly another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the folders of web servers that no longer run: named with a pid
 * that no live process has, and owned by this user. Returns the removed paths.
 */
export async function removeStaleTempDirs(root = os.tmpdir()): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const dir = path.join(root, name);
    const s = await stat(dir).catch(() => null);
    if (!s?.isDirectory() || (uid !== undefined && s.uid !== uid)) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed.push(dir);
  }
  return removed;
}

/** A temporary folder of this process, removed by dispose() or when the process exits. */
export interface OwnTempDir {
  path: string;
  dispose(): Promise<void>;
}

/** Clears stale folders, then creates this server's own under `root`. */
export async function createTempDir(root = os.tmpdir()): Promise<OwnTempDir> {
  await removeStaleTempDirs(root);
  const dir = await mkdtemp(path.join(root, `${TEMP_PREFIX}${process.pid}-`));
  // 'exit' also runs after an uncaught exception; only synchronous work is possible there.
  const onExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  return {
    path: dir,
    dispose: async () => {
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
