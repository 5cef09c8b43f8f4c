// The smallest Electron app that serves as a browser for the web-mode
// end-to-end tests (test/e2e/electron-browser.ts opens its windows): no
// window of its own, stays alive with none, and saves every download into a
// temporary folder, listed in globalThis.aexDownloads for the harness to poll.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { app } from 'electron';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aex-e2e-downloads-'));
const downloads = [];
globalThis.aexDownloads = downloads;
const tracked = new WeakSet();

function track(session) {
  if (tracked.has(session)) return;
  tracked.add(session);
  session.on('will-download', (_event, item) => {
    const name = item.getFilename();
    const entry = { file: path.join(dir, `${downloads.length}-${name}`), name, state: 'progressing' };
    item.setSavePath(entry.file);
    downloads.push(entry);
    item.once('done', (_e, state) => (entry.state = state));
  });
}

// Each test context is its own in-memory partition, hence its own session.
app.on('session-created', track);
app.on('window-all-closed', () => {});
app.whenReady().then(async () => {
  const { session } = await import('electron');
  track(session.defaultSession);
});
