/** The house's import boundaries are lint rules (eslint.config.js): each must fire, and let the allowed imports by. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages for `code` linted as if it were the file `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('keeps electron out of the engine, by package name and by path', async () => {
    for (const code of [
      "import { app } from 'electron';\nexport const a = app;\n",
      "import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n",
      "import { setupIpc } from '../electron/ipc.js';\nexport const s = setupIpc;\n",
      "import { x } from '../../electron/menu.js';\nexport const y = x;\n",
    ])
      expect(await restricted('src-main/engine/jobs/probe.ts', code), code).toEqual([
        expect.stringMatching(/never imports electron/),
      ]);
    expect(
      await restricted('src-main/engine/probe.ts', "import { Engine } from './engine.js';\nexport const e = Engine;\n"),
    ).toEqual([]);
    // The rule is the engine's: Electron's own main process imports electron, of course.
    expect(
      await restricted('src-main/electron/probe.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([]);
  });

  it('lets the renderer reach src-main only through the contract', async () => {
    expect(
      await restricted(
        'src-renderer/probe.ts',
        "import { engineApiFrom } from '../src-main/protocol.js';\nexport const f = engineApiFrom;\n",
      ),
    ).toEqual([]);
    expect(
      await restricted(
        'src-renderer/probe.ts',
        "import { decodeF32 } from '../src-main/protocol/codec.js';\nexport const d = decodeF32;\n",
      ),
    ).toEqual([]);
    expect(
      await restricted(
        'src-renderer/map/probe.ts',
        "import type { X } from '../../src-main/shell-contract.js';\nexport type Y = X;\n",
      ),
    ).toEqual([]);
    for (const [file, code] of [
      ['src-renderer/probe.ts', "import { Engine } from '../src-main/engine/engine.js';\nexport const e = Engine;\n"],
      [
        'src-renderer/map/probe.ts',
        "import type { Dataset } from '../../src-main/engine/datasets/types.js';\nexport type D = Dataset;\n",
      ],
      ['src-renderer/probe.ts', "import { x } from '../src-main/protocol-extra.js';\nexport const y = x;\n"],
    ])
      expect(await restricted(file, code), code).toEqual([expect.stringMatching(/only through the contract/)]);
    expect(
      await restricted(
        'src-renderer/probe.ts',
        "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
      ),
    ).toEqual([expect.stringMatching(/never imports electron/)]);
  });

  it('applies to Svelte components too', async () => {
    const code =
      '<script lang="ts">\n  import { Engine } from \'../../src-main/engine/engine.js\';\n  console.log(Engine);\n</script>\n';
    expect(await restricted('src-renderer/components/Probe.svelte', code)).toEqual([
      expect.stringMatching(/only through the contract/),
    ]);
  });
});
