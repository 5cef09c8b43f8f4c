/**
 * Menu actions that only the page can carry out (it owns the map's camera),
 * sent main → renderer and handed to `window.aeExplorerShell.onMenuAction`.
 */

/** Main → renderer: one menu action. */
export const MENU_CHANNEL = 'ae-explorer:menu';

export const SHELL_ACTIONS = ['reset-view'] as const;
export type ShellAction = (typeof SHELL_ACTIONS)[number];

/** True for a known menu action (the preload forwards nothing else). */
export function isShellAction(value: unknown): value is ShellAction {
  return typeof value === 'string' && (SHELL_ACTIONS as readonly string[]).includes(value);
}
