/**
 * The desktop app's main process: wiring only. It owns the window, menus,
 * dialogs and IPC; the engine runs in a utilityProcess. Each concern lives
 * in its own module (security, ipc, window, menu, actions, settings).
 * Built to dist/main/electron-main.cjs (CommonJS, `electron` external).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
} from 'electron';

import { createActions } from './actions.js';
import { EngineBridge } from './ipc.js';
import { LaunchFiles, sessionFromArgv } from './launch-files.js';
import { menuTemplate } from './menu.js';
import { setupPageRequests } from './page-requests.js';
import { PathGrants } from './path-grants.js';
import { APP_SCHEME_PRIVILEGES, denyPermissions, guardWebContents, registerAppProtocol } from './security.js';
import { loadSettings, saveSettings, saveSettingsSync, type Settings } from './settings.js';
import { createMainWindow } from './window.js';

// dist/main when built; the renderer and the engine worker sit beside it.
const here = __dirname;
const settingsFile = () => path.join(app.getPath('userData'), 'settings.json');

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
// A second launch focuses the first window instead of starting a second engine.
const primary = app.requestSingleInstanceLock();

app.on('web-contents-created', (_e, contents) =>
  guardWebContents(contents, {
    openExternal: (url) =>
      void shell
        .openExternal(url)
        .catch((e: unknown) => console.warn(`[security] could not open ${url}: ${String(e)}`)),
  }),
);

let win: BrowserWindow | null = null;
let settings: Settings | null = null;
// Set once the engine bridge exists; until then, opened files wait here.
let launchFiles: LaunchFiles | null = null;
let earlyFile = sessionFromArgv(process.argv);
// macOS sends double-clicked .aex files this way, possibly before ready.
app.on('open-file', (event, file) => {
  event.preventDefault();
  if (launchFiles) launchFiles.add(file);
  else earlyFile = file;
});

async function setup(): Promise<void> {
  registerAppProtocol(protocol, path.join(here, '..', 'renderer'));
  denyPermissions(session.defaultSession);
  const s = await loadSettings(settingsFile());
  settings = s;
  nativeTheme.themeSource = s.theme;

  // What the window may have the engine read: only what the user chose in this run.
  const grants = new PathGrants();
  const bridge = new EngineBridge({
    ipc: ipcMain,
    grants,
    spawnEngine: () =>
      utilityProcess.fork(path.join(here, 'engine-worker.js'), [], {
        serviceName: 'AE Explorer engine',
        stdio: 'inherit',
        // Decoded datasets are cached in the app's own data folder, never beside the data.
        env: { ...process.env, AE_EXPLORER_CACHE_DIR: path.join(app.getPath('userData'), 'dataset-cache') },
      }),
    onExportRequest: (c) => actions.exportCsvFor(c.requestId, c.rows, c.columns),
  });
  let saving: Promise<void> = Promise.resolve();
  const rebuildMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(actions, {
          recent: s.recent,
          theme: s.theme,
          isMac: process.platform === 'darwin',
          devTools: !app.isPackaged,
        }),
      ),
    );
  const actions = createActions({
    dialog,
    bridge,
    window: () => win,
    settings: s,
    grants,
    settingsChanged: () => {
      saving = saving
        .then(() => saveSettings(settingsFile(), s))
        .catch((e) => console.warn(`settings: ${(e as Error).message}`));
      rebuildMenu();
    },
    applyTheme: (t) => (nativeTheme.themeSource = t),
    addRecentDocument: (p) => app.addRecentDocument(p),
    appVersion: app.getVersion(),
    shellVersions: process.versions,
  });
  rebuildMenu();
  setupPageRequests({
    ipc: ipcMain,
    dialog,
    target: () => win?.webContents ?? null,
    saveSessionDialog: () => void actions.saveSessionDialog(),
    openSession: () => void actions.openSession(),
    grants,
  });
  bridge.onEvent((e) => grants.onEvent(e));
  launchFiles = new LaunchFiles((file) => actions.openSessionFile(file));
  bridge.onEvent((e) => launchFiles?.onEvent(e));
  if (earlyFile) launchFiles.add(earlyFile);

  const icon = path.join(here, '..', '..', 'assets', 'icon.png');
  win = createMainWindow({
    BrowserWindow,
    screen,
    settings: s,
    settingsChanged: () => void saveSettings(settingsFile(), s).catch(() => undefined),
    preload: path.join(here, 'preload.cjs'),
    ...(existsSync(icon) ? { icon } : {}),
  });
  bridge.attach(win.webContents);
  win.on('closed', () => {
    bridge.attach(null);
    win = null;
  });
  app.on('will-quit', () => bridge.dispose());
}

app.on('second-instance', (_e, argv) => {
  const file = sessionFromArgv(argv);
  if (file) launchFiles?.add(file);
  if (win?.isMinimized()) win.restore();
  win?.focus();
});
app.on('before-quit', () => {
  if (settings) {
    try {
      saveSettingsSync(settingsFile(), settings);
    } catch {
      // Losing the window position is not worth a crash on quit.
    }
  }
});
app.on('window-all-closed', () => app.quit());
if (!primary) app.quit();
else
  app
    .whenReady()
    .then(setup)
    .catch((e: unknown) => {
      dialog.showErrorBox('AE Explorer could not start', e instanceof Error ? (e.stack ?? e.message) : String(e));
      app.exit(1);
    });
