/**
 * The application menu, built as plain data from a table of actions so that
 * tests can read it without Electron. File: datasets, sessions, exports,
 * recent; View: theme, reset view, zoom; Help: about with versions.
 */
import type { MenuItemConstructorOptions } from 'electron';

import type { Settings, Theme } from './settings.js';

/** What the menu items do; the desktop actions implement these. */
export interface MenuActions {
  openFolder(): void;
  openSession(): void;
  saveSession(): void;
  exportCsv(): void;
  exportPng(): void;
  openRecent(entry: Settings['recent'][number]): void;
  clearRecent(): void;
  setTheme(theme: Theme): void;
  resetView(): void;
  about(): void;
}

/** What the menu shows besides its fixed items. */
export interface MenuState {
  recent: Settings['recent'];
  theme: Theme;
  /** macOS puts About and Quit under the app's own menu. */
  isMac: boolean;
  /** Show the developer tools item (unpackaged builds only). */
  devTools: boolean;
}

const THEME_LABELS: Record<Theme, string> = { system: 'Follow System', light: 'Light', dark: 'Dark' };

/** Builds the menu template. */
export function menuTemplate(a: MenuActions, s: MenuState): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] = s.recent.length
    ? [
        ...s.recent.map((r): MenuItemConstructorOptions => ({
          label: `${r.kind === 'session' ? 'Session' : 'Folder'}: ${r.path}`,
          click: () => a.openRecent(r),
        })),
        { type: 'separator' },
        { label: 'Clear Recent', click: () => a.clearRecent() },
      ]
    : [{ label: 'No Recent Items', enabled: false }];
  const about: MenuItemConstructorOptions = { label: 'About AE Explorer', click: () => a.about() };
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Dataset Folder…', accelerator: 'CmdOrCtrl+O', click: () => a.openFolder() },
      { label: 'Open Session…', accelerator: 'CmdOrCtrl+Shift+O', click: () => a.openSession() },
      { label: 'Recent', submenu: recent },
      { type: 'separator' },
      { label: 'Save Session…', accelerator: 'CmdOrCtrl+S', click: () => a.saveSession() },
      { label: 'Export Projections CSV…', accelerator: 'CmdOrCtrl+E', click: () => a.exportCsv() },
      { label: 'Export Map PNG…', accelerator: 'CmdOrCtrl+Shift+E', click: () => a.exportPng() },
      ...(s.isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Theme',
        submenu: (Object.keys(THEME_LABELS) as Theme[]).map((t) => ({
          label: THEME_LABELS[t],
          type: 'radio',
          checked: s.theme === t,
          click: () => a.setTheme(t),
        })),
      },
      { label: 'Reset View', accelerator: 'CmdOrCtrl+0', click: () => a.resetView() },
      { type: 'separator' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'resetZoom', accelerator: 'CmdOrCtrl+Shift+0' },
      { role: 'togglefullscreen' },
      ...(s.devTools ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  const help: MenuItemConstructorOptions = { label: '&Help', submenu: [about] };
  const mac: MenuItemConstructorOptions[] = s.isMac
    ? [
        {
          label: 'AE Explorer',
          submenu: [
            about,
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [...mac, file, edit, view, ...(s.isMac ? [{ role: 'windowMenu' } as const] : []), help];
}

/** The Help → About text: app, shell and engine versions plus the TF.js backend in use. */
export function aboutDetail(
  appVersion: string,
  shell: Record<string, string | undefined>,
  engine: { backend: string; backendNotes: string[]; versions: Record<string, string> } | null,
): string {
  const lines = [
    `AE Explorer ${appVersion}`,
    `Electron ${shell.electron ?? '?'} · Chromium ${shell.chrome ?? '?'} · Node ${shell.node ?? '?'} · V8 ${shell.v8 ?? '?'}`,
  ];
  if (engine) {
    lines.push(`TensorFlow.js ${engine.versions.tfjs ?? '?'}, backend: ${engine.backend}`);
    for (const n of engine.backendNotes) lines.push(`  ${n}`);
  } else lines.push('TensorFlow.js backend: the engine has not started yet');
  return lines.join('\n');
}
