import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file atomically: the data goes to a temporary file beside the
 * target, which is then renamed over it, so a crash never leaves a partial
 * file and a reader sees the old contents or the new, never a mix. `data`
 * may be a list of chunks (a header and large arrays) to avoid joining them.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<Uint8Array>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`${file}: cannot write: ${(e as Error).message}`, { cause: e });
  }
}
