import { describe, expect, it } from 'vitest';

import { createActions } from '../../src-main/electron/actions.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src-main/electron/settings.js';
import type { Command, DatasetInfo, EngineEvent } from '../../src-main/protocol.js';

/** The actions with fake Electron parts: a dialog that answers `folder`, and a bridge whose events the test fires. */
function setup(folder = '/data/picked', page: { sent: [string, unknown][] } | null = null) {
  const sent: Command[] = [];
  const granted: string[] = [];
  const errors: string[] = [];
  const documents: string[] = [];
  let listener: (e: EngineEvent) => void = () => {};
  const settings = structuredClone(DEFAULT_SETTINGS) as Settings;
  const actions = createActions({
    dialog: {
      showOpenDialog: async () => ({ canceled: false, filePaths: [folder] }),
      showSaveDialog: async () => ({ canceled: true }),
      showMessageBox: async () => ({ response: 0, checkboxChecked: false }),
      showErrorBox: (_t: string, m: string) => void errors.push(m),
    } as never,
    bridge: {
      send: (c: Command) => void sent.push(c),
      onEvent: (l: (e: EngineEvent) => void) => {
        listener = l;
        return () => {};
      },
      ready: null,
      view: null,
    } as never,
    window: () =>
      page && ({ webContents: { send: (channel: string, v: unknown) => void page.sent.push([channel, v]) } } as never),
    settings,
    grants: { grant: (p: string) => void granted.push(p) },
    settingsChanged: () => {},
    applyTheme: () => {},
    addRecentDocument: (p: string) => void documents.push(p),
    appVersion: '0.0.0',
    shellVersions: {},
  });
  const loaded = (jobId: string, path: string): EngineEvent => ({
    type: 'datasetLoaded',
    jobId,
    info: { source: { kind: 'folder', path } } as DatasetInfo,
  });
  return { actions, sent, granted, errors, documents, settings, fire: (e: EngineEvent) => listener(e), loaded };
}

describe('File → Recent folders', () => {
  it('lists a folder the page loaded (typed or dropped), not only those opened from the menu', () => {
    const t = setup();
    t.fire(t.loaded('page-load-1', '/home/me/dropped'));
    expect(t.settings.recent).toEqual([{ kind: 'folder', path: '/home/me/dropped' }]);
    expect(t.documents).toEqual(['/home/me/dropped']);
  });

  it('lists a folder opened from the menu once it has loaded, and not when it failed', async () => {
    const t = setup('/data/bad');
    await t.actions.openFolder();
    const job = (t.sent[0] as Extract<Command, { type: 'loadDataset' }>).jobId;
    expect(t.settings.recent).toEqual([]);
    t.fire({ type: 'error', jobId: job, message: '/data/bad: no images found' });
    expect(t.errors).toEqual(['/data/bad: no images found']);
    expect(t.settings.recent).toEqual([]);
    const ok = setup('/data/good');
    await ok.actions.openFolder();
    ok.fire(ok.loaded((ok.sent[0] as Extract<Command, { type: 'loadDataset' }>).jobId, '/data/good'));
    expect(ok.settings.recent).toEqual([{ kind: 'folder', path: '/data/good' }]);
  });

  it("does not list a session's dataset folder as a folder the user opened", () => {
    const t = setup();
    t.actions.openSessionFile('/s/run.aex');
    const job = (t.sent[0] as Extract<Command, { type: 'openSession' }>).jobId;
    t.fire(t.loaded(job, '/data/of-the-session'));
    expect(t.settings.recent).toEqual([{ kind: 'session', path: '/s/run.aex' }]);
  });

  it('has the page load a folder picked in the menu, so the options it shows apply', async () => {
    const page = { sent: [] as [string, unknown][] };
    const t = setup('/data/picked', page);
    await t.actions.openFolder();
    t.actions.openRecent({ kind: 'folder', path: '/data/recent' });
    expect(page.sent).toEqual([
      ['ae-explorer:open-folder', '/data/picked'],
      ['ae-explorer:open-folder', '/data/recent'],
    ]);
    expect(t.sent).toEqual([]);
  });
});

describe('what the user chooses in the menus', () => {
  it('grants the page the folders and sessions picked in a dialog or in File → Recent, and nothing unasked', async () => {
    const page = { sent: [] as [string, unknown][] };
    const t = setup('/data/picked', page);
    expect(t.granted).toEqual([]);
    await t.actions.openFolder();
    t.actions.openRecent({ kind: 'folder', path: '/data/recent' });
    t.actions.openRecent({ kind: 'session', path: '/s/recent.aex' });
    expect(t.granted).toEqual(['/data/picked', '/data/recent', '/s/recent.aex']);
    const cancelled = setup('/never');
    cancelled.actions.clearRecent();
    cancelled.actions.resetView();
    expect(cancelled.granted).toEqual([]);
  });

  it('forgets the menu jobs of an engine that died, so a later error of the new engine is not shown twice', async () => {
    const t = setup('/data/picked');
    await t.actions.openFolder();
    const job = (t.sent[0] as Extract<Command, { type: 'loadDataset' }>).jobId;
    t.fire({ type: 'engineRestarted', message: 'the engine stopped' } as never);
    t.fire({ type: 'error', jobId: job, message: 'late' });
    expect(t.errors).toEqual([]);
  });
});
