import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file atomically: the data goes to a temporary file beside the
 * target, which is then renamed over it, so a crash never leaves a partial
 * file and a reader sees the old contents or the new, never a mix. Only a
 * regular file is ever replaced: renaming over a device, a pipe or a folder
 * (say, a save to /dev/null as root) would replace the node itself. A link is
 * written through, to the file it names. `data` may be a list of chunks (a
 * header and large arrays) to avoid joining them.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array | Iterable<Uint8Array>): Promise<void> {
  const file = await existingTarget(target);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`${target}: cannot write: ${(e as Error).message}`, { cause: e });
  }
}

/** The real path to write for `target`; throws when something other than a regular file is there. */
async function existingTarget(target: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return target; // nothing there yet (or a dangling link, which rename replaces)
  }
  const info = await stat(real);
  if (!info.isFile()) throw new Error(`${target}: cannot write: it is not a regular file, and it is not replaced`);
  return real;
}
