import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

/** bench:train with these arguments; its refusal (stderr) when it exits non-zero, before any training. */
async function refusal(args: string[]): Promise<string> {
  try {
    await run(tsx, ['bench/train.ts', ...args], { cwd: root, timeout: 60_000 });
  } catch (e) {
    return (e as { stderr: string }).stderr;
  }
  throw new Error(`bench/train.ts ${args.join(' ')} did not refuse`);
}

describe('bench:train --anchor-blas-threads', () => {
  it('refuses a setting that is not a pool size from 1 to 256 or env, naming the flag and the value', async () => {
    for (const bad of ['0', 'two', '1,257', '1,'])
      expect(await refusal(['--anchor-blas-threads', bad])).toContain(
        `--anchor-blas-threads must list integers from 1 to 256 or env, got ${bad}`,
      );
  }, 120_000);
});
