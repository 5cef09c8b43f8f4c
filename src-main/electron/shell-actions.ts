/**
 * Menu actions that only the page can carry out (it owns the map's camera),
 * sent main → renderer and handed to `window.aeExplorerShell.onMenuAction`.
 */

/** Main → renderer: one menu action. */
export const MENU_CHANNEL = 'ae-explorer:menu';

/** reset-view: fit the map; export-png: open the PNG export dialog; save-session: save with the page's view state. */
export const SHELL_ACTIONS = ['reset-view', 'export-png', 'save-session'] as const;
export type ShellAction = (typeof SHELL_ACTIONS)[number];

/**
 * Main → renderer: a folder the user picked (File → Open Dataset Folder…, File → Recent). The page loads it
 * with the image size and grayscale options it shows, as it does a typed or dropped folder.
 */
export const OPEN_FOLDER_CHANNEL = 'ae-explorer:open-folder';

/** True for a folder path the preload may hand to the page. */
export function isFolderPath(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length < 4096;
}

/** Renderer → main: the page's view state (camera, hidden classes...), stored in saved sessions. */
export const VIEW_CHANNEL = 'ae-explorer:view';

/** Why a value cannot be a session's view state (a plain JSON object under 100 kB), or null. */
export function viewProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'view state must be an object';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return 'view state must be plain JSON';
  }
  return text !== undefined && text.length <= 100_000 ? null : 'view state must be plain JSON under 100 kB';
}

/** True for a known menu action (the preload forwards nothing else). */
export function isShellAction(value: unknown): value is ShellAction {
  return typeof value === 'string' && (SHELL_ACTIONS as readonly string[]).includes(value);
}
