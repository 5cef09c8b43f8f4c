/**
 * Which files and folders the window may have the engine read. A page is
 * not trusted with the file system (a script injected into it must not read
 * ~/.ssh through loadDataset), so main keeps the set of paths the user chose
 * in this run: picked in a native dialog, dropped on the window (the
 * preload's pathForFile), or chosen from File → Recent, plus the dataset
 * folders the engine has loaded since (a reopened session's dataset, which
 * the page may load again with other options). Anything else the page names
 * is refused with a message that says how to choose it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import type { Command, EngineEvent } from '../protocol.js';
import { isFolderPath } from '../shell-contract.js';

/** The set of granted paths, compared after path.resolve (so `a/b/` and `a/./b` are `a/b`). */
export class PathGrants {
  private readonly granted = new Set<string>();

  /** Lets the window have the engine read `p`. */
  grant(p: string): void {
    if (isFolderPath(p)) this.granted.add(path.resolve(p));
  }

  /** True when `p` was granted in this run. */
  allows(p: string): boolean {
    return isFolderPath(p) && this.granted.has(path.resolve(p));
  }

  /** Feed every engine event here: a folder the engine loaded may be loaded again. */
  onEvent(e: EngineEvent): void {
    if (e.type === 'datasetLoaded' && e.info.source.kind === 'folder') this.grant(e.info.source.path);
  }

  /**
   * A path the user dropped: granted, and for a file also the folder that
   * holds it, since a dropped dataset file (.npy, .csv, IDX) loads its folder.
   */
  grantDropped(p: string, isDirectory: (p: string) => boolean | null = statIsDirectory): void {
    this.grant(p);
    if (isDirectory(p) === false) this.grant(path.dirname(p));
  }
}

/** True for a folder, false for a file, null when it cannot be read (then only the path itself is granted). */
function statIsDirectory(p: string): boolean | null {
  try {
    // Synchronous on purpose: the page's loadDataset for this drop follows on the same IPC pipe
    // and must find the grant in place; a stat of a path the OS just dragged is quick.
    return statSync(p).isDirectory();
  } catch {
    return null;
  }
}

/** The path a command from the window would have the engine read, if any. */
export function pathToRead(command: Command): string | null {
  if (command.type === 'loadDataset' && command.source.kind === 'folder') return command.source.path;
  if (command.type === 'openSession') return command.path;
  return null;
}

/** Why the window may not have the engine read what `command` names, or null. */
export function readProblem(command: Command, grants: Pick<PathGrants, 'allows'>): string | null {
  const p = pathToRead(command);
  if (p === null || grants.allows(p)) return null;
  const what = command.type === 'openSession' ? 'session' : 'folder';
  const how =
    what === 'session'
      ? 'open it with File → Open Session… or pick it from File → Recent'
      : 'open it with File → Open Dataset Folder…, drop it on the window, or pick it from File → Recent';
  return `the desktop app reads only what you chose in it, and ${p.slice(0, 300)} was not chosen: ${how}`;
}
