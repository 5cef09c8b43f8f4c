/**
 * The desktop shell's contract, beside protocol.ts: the IPC channel names,
 * the menu actions only the page can carry out, the page's session requests,
 * and the `window.aeExplorerShell` API the preload gives the page. Main,
 * preload and renderer all import this one file, so a channel or an action
 * cannot be renamed on one side only. Like protocol.ts it stays free of
 * Node, DOM and Electron imports: the sandboxed preload bundles it and the
 * renderer compiles it.
 */

/** Every IPC channel between the window and the main process. */
export const CHANNELS = {
  /** Renderer → main: one protocol command. */
  command: 'ae-explorer:command',
  /** Main → renderer: one engine event (and the shell's own, such as engineRestarted). */
  event: 'ae-explorer:event',
  /** Main → renderer: one menu action (a ShellAction). */
  menu: 'ae-explorer:menu',
  /** Main → renderer: a folder the user picked (File → Open Dataset Folder…, File → Recent), for the page to load. */
  openFolder: 'ae-explorer:open-folder',
  /** Renderer → main: the page's view state (camera, hidden classes...), stored in saved sessions. */
  view: 'ae-explorer:view',
  /** Renderer → main (invoke): PNG bytes and a suggested name; main asks where and writes them. */
  savePng: 'ae-explorer:save-png',
  /** Renderer → main: a SessionRequest, answered with the native dialogs. */
  sessionRequest: 'ae-explorer:session-request',
  /** Preload → main: the path of a file or folder the user dropped, which the page may then load. */
  dropped: 'ae-explorer:dropped',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** reset-view: fit the map; export-png: open the PNG export dialog; save-session: save with the page's view state. */
export const SHELL_ACTIONS = ['reset-view', 'export-png', 'save-session'] as const;
export type ShellAction = (typeof SHELL_ACTIONS)[number];

/** True for a known menu action (the preload forwards nothing else). */
export function isShellAction(value: unknown): value is ShellAction {
  return typeof value === 'string' && (SHELL_ACTIONS as readonly string[]).includes(value);
}

/** What the page's Save session / Open session buttons ask of the main process. */
export const SESSION_REQUESTS = ['save-session', 'open-session'] as const;
export type SessionRequest = (typeof SESSION_REQUESTS)[number];

/** True for a known session request. */
export function isSessionRequest(value: unknown): value is SessionRequest {
  return typeof value === 'string' && (SESSION_REQUESTS as readonly string[]).includes(value);
}

/** Longest path the shell passes on (the protocol's limit for paths). */
export const MAX_PATH_LENGTH = 4095;

/** True for a path the preload may hand to the page or to main: a non-empty string of at most MAX_PATH_LENGTH. */
export function isFolderPath(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PATH_LENGTH && !value.includes('\0');
}

/** Largest view state, as JSON text, that a session stores. */
export const MAX_VIEW_BYTES = 100_000;

/** Why a value cannot be a session's view state (a plain JSON object under 100 kB), or null. */
export function viewProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'view state must be an object';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return 'view state must be plain JSON';
  }
  return text !== undefined && text.length <= MAX_VIEW_BYTES ? null : 'view state must be plain JSON under 100 kB';
}

/** The desktop shell's verbs for the page, exposed by the preload as `window.aeExplorerShell`. */
export interface ShellApi {
  /** Menu actions only the page can carry out (it owns the camera); returns the unsubscribe function. */
  onMenuAction(listener: (action: ShellAction) => void): () => void;
  /** Tells the shell the page's view state, stored by File → Save Session. */
  setViewState(view: Record<string, unknown>): void;
  /**
   * Where a dropped file or folder is on disk ('' if it is not a file on
   * disk). The path is also granted: the page may then load it (or, for a
   * dataset file, the folder that holds it).
   */
  pathForFile(file: File): string;
  /** Folders the user picked in the desktop menus (File → Open Dataset Folder…, File → Recent). */
  onOpenFolder(listener: (path: string) => void): () => void;
  /** Asks where to save a session (native dialog), then has the engine write it. */
  saveSession(): void;
  /** Asks which session to open (native dialog), then has the engine open it. */
  openSession(): void;
  /** Asks where to save a PNG (native dialog) and writes it; resolves with the path, or null when cancelled. */
  savePng(bytes: Uint8Array, suggestedName: string): Promise<string | null>;
}
