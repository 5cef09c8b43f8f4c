/**
 * What the menu items do in the desktop app: native open/save dialogs, then
 * a command to the engine through the bridge. File paths reach the engine
 * only from here (a dialog the user answered), never from the page.
 */
import type { BrowserWindow, Dialog } from 'electron';

import type { Command, CsvColumn, EngineEvent } from '../protocol.js';
import { CHANNELS, type ShellAction } from '../shell-contract.js';
import type { EngineBridge } from './ipc.js';
import { aboutDetail, type MenuActions } from './menu.js';
import type { PathGrants } from './path-grants.js';
import { addRecent, type Settings, type Theme } from './settings.js';

/** What the actions need from Electron and the rest of the shell. */
export interface ActionDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox' | 'showErrorBox'>;
  bridge: Pick<EngineBridge, 'send' | 'ready' | 'onEvent' | 'view'>;
  window(): Pick<BrowserWindow, 'webContents'> | null;
  settings: Settings;
  /** Paths the user picks here (dialogs, File → Recent) are granted: the page may then have them read. */
  grants: Pick<PathGrants, 'grant'>;
  /** Persists the settings and rebuilds the menu (recent list, theme). */
  settingsChanged(): void;
  applyTheme(theme: Theme): void;
  addRecentDocument(path: string): void;
  appVersion: string;
  shellVersions: Record<string, string | undefined>;
}

/** Sends a menu action to the page; typed, so only a ShellAction can be sent. */
function sendAction(win: Pick<BrowserWindow, 'webContents'>, action: ShellAction): void {
  win.webContents.send(CHANNELS.menu, action);
}

const SESSION_FILTERS = [{ name: 'AE Explorer session', extensions: ['aex'] }];

/** Builds the menu actions; engine errors of menu-started jobs are shown in an error box. */
export function createActions(d: ActionDeps): MenuActions & {
  exportCsvFor(requestId: string, rows?: string, columns?: CsvColumn[]): void;
  openSessionFile(file: string): void;
  /** The save dialog, then the engine writes the session with the page's last view state. */
  saveSessionDialog(): Promise<void>;
} {
  let counter = 0;
  const id = (what: string) => `menu-${what}-${++counter}`;
  const mine = new Set<string>();
  /** Jobs that reopen a session: their dataset is the session's, not a folder the user chose. */
  const sessionJobs = new Set<string>();
  const send = (command: Command, jobOrRequest: string) => {
    mine.add(jobOrRequest);
    d.bridge.send(command);
  };
  const remember = (entry: Settings['recent'][number]) => {
    d.settings.recent = addRecent(d.settings.recent, entry);
    d.addRecentDocument(entry.path);
    d.settingsChanged();
  };
  d.bridge.onEvent((e: EngineEvent) => {
    if (e.type === 'engineRestarted') {
      // The jobs the dead engine ran will never answer; the page shows the restart itself.
      mine.clear();
      sessionJobs.clear();
    } else if (e.type === 'error') {
      const key = e.jobId ?? e.requestId;
      if (key) sessionJobs.delete(key);
      if (key && mine.delete(key)) d.dialog.showErrorBox('AE Explorer', e.message);
    } else if (e.type === 'datasetLoaded') {
      mine.delete(e.jobId);
      // Every folder that loaded goes to File → Recent, whether opened from the menu, typed or dropped on the page.
      if (e.info.source.kind === 'folder' && !sessionJobs.has(e.jobId))
        remember({ kind: 'folder', path: e.info.source.path });
    } else if (e.type === 'sessionOpened') sessionJobs.delete(e.jobId);
    else if (e.type === 'csv' || e.type === 'sessionSaved') mine.delete(e.requestId);
  });
  const loadFolder = (folder: string) => {
    d.grants.grant(folder);
    // The page loads it with the size and grayscale options it shows; with no page, the engine loads it as it is.
    const win = d.window();
    if (win) return win.webContents.send(CHANNELS.openFolder, folder);
    const jobId = id('load');
    send({ type: 'loadDataset', jobId, source: { kind: 'folder', path: folder } }, jobId);
  };
  const openSessionFile = (file: string) => {
    d.grants.grant(file);
    const jobId = id('session');
    sessionJobs.add(jobId);
    send({ type: 'openSession', jobId, path: file }, jobId);
    remember({ kind: 'session', path: file });
  };
  /** Asks where to save, then has the engine write there; the page's own exports report in the page. */
  const exportCsvFor = async (requestId: string, fromMenu: boolean, rows?: string, columns?: CsvColumn[]) => {
    const r = await d.dialog.showSaveDialog({
      title: 'Export Projections CSV',
      defaultPath: 'projections.csv',
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
    // The engine writes it atomically (temporary file + rename).
    if (r.canceled || !r.filePath) return;
    if (fromMenu) send({ type: 'exportCsv', requestId, path: r.filePath }, requestId);
    else
      d.bridge.send({
        type: 'exportCsv',
        requestId,
        path: r.filePath,
        ...(rows ? { rows } : {}),
        ...(columns ? { columns } : {}),
      });
  };

  const saveSessionDialog = async () => {
    const r = await d.dialog.showSaveDialog({
      title: 'Save Session',
      defaultPath: 'session.aex',
      filters: SESSION_FILTERS,
    });
    if (r.canceled || !r.filePath) return;
    const requestId = id('save');
    const view = d.bridge.view;
    send({ type: 'saveSession', requestId, path: r.filePath, ...(view ? { view } : {}) }, requestId);
    remember({ kind: 'session', path: r.filePath });
  };

  return {
    async openFolder() {
      const r = await d.dialog.showOpenDialog({ title: 'Open Dataset Folder', properties: ['openDirectory'] });
      if (!r.canceled && r.filePaths[0]) loadFolder(r.filePaths[0]);
    },
    async openSession() {
      const r = await d.dialog.showOpenDialog({
        title: 'Open Session',
        properties: ['openFile'],
        filters: SESSION_FILTERS,
      });
      if (!r.canceled && r.filePaths[0]) openSessionFile(r.filePaths[0]);
    },
    saveSession() {
      // The page adds its current view state, then comes back through saveSessionDialog.
      const win = d.window();
      if (win) sendAction(win, 'save-session');
      else void saveSessionDialog();
    },
    saveSessionDialog,
    exportCsv: () => void exportCsvFor(id('csv'), true),
    exportCsvFor: (requestId, rows, columns) => void exportCsvFor(requestId, false, rows, columns),
    openSessionFile,
    exportPng() {
      // The page renders the map at the chosen size with its legend, then hands the bytes to savePng.
      const win = d.window();
      if (win) sendAction(win, 'export-png');
    },
    openRecent(entry) {
      if (entry.kind === 'folder') loadFolder(entry.path);
      else openSessionFile(entry.path);
    },
    clearRecent() {
      d.settings.recent = [];
      d.settingsChanged();
    },
    setTheme(theme) {
      d.settings.theme = theme;
      d.applyTheme(theme);
      d.settingsChanged();
    },
    resetView() {
      const win = d.window();
      if (win) sendAction(win, 'reset-view');
    },
    async about() {
      await d.dialog.showMessageBox({
        type: 'info',
        title: 'About AE Explorer',
        message: 'AE Explorer',
        detail: aboutDetail(d.appVersion, d.shellVersions, d.bridge.ready),
        buttons: ['OK'],
      });
    },
  };
}
