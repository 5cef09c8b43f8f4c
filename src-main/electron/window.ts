/**
 * The main window: built from the security module's options, loaded from
 * the app protocol, shown when painted, and its size, position and
 * maximised state remembered in the settings.
 */
import type { BrowserWindow, Screen } from 'electron';

import { APP_URL, mainWindowOptions } from './security.js';
import { fitBounds, type Settings } from './settings.js';

/** What the window needs from Electron and the shell. */
export interface WindowDeps {
  BrowserWindow: typeof BrowserWindow;
  screen: Pick<Screen, 'getAllDisplays'>;
  settings: Settings;
  settingsChanged(): void;
  preload: string;
  icon?: string;
}

/** Opens the main window on the app's page. */
export function createMainWindow(d: WindowDeps): BrowserWindow {
  const bounds = fitBounds(
    d.settings.window.bounds,
    d.screen.getAllDisplays().map((s) => s.workArea),
  );
  const win = new d.BrowserWindow(mainWindowOptions(d.preload, bounds, d.icon));
  if (d.settings.window.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let timer: NodeJS.Timeout | undefined;
  const remember = () => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    // getNormalBounds: the size to come back to, even while maximised.
    d.settings.window = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      remember();
      d.settingsChanged();
    }, 500);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(e as 'resize', later);
  win.on('close', () => {
    clearTimeout(timer);
    remember();
  });
  void win.loadURL(APP_URL);
  return win;
}
