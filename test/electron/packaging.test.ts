/**
 * The packaging config as electron-builder itself reads it: its own loader
 * and schema check (so a misspelt fuse name fails here, not silently at
 * `npm run dist`), then each fuse Electron's security guide asks for.
 */
import path from 'node:path';

import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const load = () => getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema check', async () => {
    const config = await load();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The check is real: a fuse name electron-builder does not know is refused.
    await expect(
      validateConfiguration({ ...config, electronFuses: { runAsNod: false } as never }, new DebugLogger(false)),
    ).rejects.toThrow(/electronFuses/);
  });

  it('flips the fuses that close Node and debugger entry points into the packaged app', async () => {
    const fuses = (await load()).electronFuses;
    expect(fuses, 'electronFuses is missing').toBeTruthy();
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar, which the integrity and only-from-asar fuses need', async () => {
    expect((await load()).asar).toBe(true);
  });
});
