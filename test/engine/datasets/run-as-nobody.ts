import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** The uid and gid of "nobody", who is not root, so file modes apply to it. */
export const NOBODY = 65534;

/**
 * Why "nobody" cannot reach `dir` (an ancestor without search permission for
 * others), or null when it can. Checked by mode bits because the test runs as
 * root, for whom access() always succeeds.
 */
export function unreachableBy(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const s = statSync(d);
    const others = s.uid === NOBODY ? s.mode >> 6 : s.gid === NOBODY ? s.mode >> 3 : s.mode;
    if (!(others & 0o1)) return `${d} (mode ${(s.mode & 0o777).toString(8)}) cannot be entered by uid ${NOBODY}`;
    if (d === path.dirname(d)) return null;
  }
}

/**
 * Runs load-child.ts as uid/gid 65534 on `folder` and returns the spawn result,
 * or a reason it cannot. The child cannot use the checkout: a checkout inside
 * a 0700 folder (a `mktemp -d` clone) hides its node_modules from that user.
 * So the child and the loader are bundled into one file in a fresh temp folder
 * that others may read. sharp is replaced by a stub that throws if called: it
 * is native, and the PNGs of the test are decoded by pngjs, never by sharp.
 */
export async function loadAsNobody(folder: string): Promise<SpawnSyncReturns<string> | { skip: string }> {
  const base = os.tmpdir();
  const why = unreachableBy(base);
  if (why) return { skip: `no folder the child can read: ${why}` };
  const tmp = mkdtempSync(path.join(base, 'ae-child-'));
  try {
    chmodSync(tmp, 0o755);
    const out = path.join(tmp, 'load-child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./load-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
      // The bundled CommonJS dependencies (pngjs) call require() for Node's own modules.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      plugins: [
        {
          name: 'stub-sharp',
          setup(b) {
            b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'stub' }));
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
              contents:
                "export default function sharp() { throw new Error('sharp is not available to the permission-test child'); }",
              loader: 'js',
            }));
          },
        },
      ],
    });
    chmodSync(out, 0o644);
    return spawnSync(process.execPath, [out, folder], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: tmp,
      env: { PATH: process.env.PATH, HOME: tmp },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
