/**
 * Folder paths the user loaded, most recent first, kept in localStorage so
 * the folder field can offer them (web mode has no File → Recent menu).
 */

const KEY = 'ae-explorer.recent-folders';

/** How many paths are kept. */
export const MAX_RECENT_FOLDERS = 8;

/** The part of Storage used here, so tests can pass a plain object. */
export interface PathStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function storage(): PathStorage | null {
  try {
    return (globalThis as { localStorage?: PathStorage }).localStorage ?? null;
  } catch {
    // Storage can be disabled (privacy settings): the list is then simply not remembered.
    return null;
  }
}

/** The remembered paths; a missing or damaged entry gives an empty list. */
export function recentFolders(store: PathStorage | null = storage()): string[] {
  try {
    const v: unknown = JSON.parse(store?.getItem(KEY) ?? '[]');
    return Array.isArray(v)
      ? v.filter((p): p is string => typeof p === 'string' && p.length > 0).slice(0, MAX_RECENT_FOLDERS)
      : [];
  } catch {
    return [];
  }
}

/** Puts `path` first (no duplicates, at most MAX_RECENT_FOLDERS) and returns the new list. */
export function rememberFolder(path: string, store: PathStorage | null = storage()): string[] {
  const list = [path, ...recentFolders(store).filter((p) => p !== path)].slice(0, MAX_RECENT_FOLDERS);
  try {
    store?.setItem(KEY, JSON.stringify(list));
  } catch {
    // A full or disabled storage only loses the memory, never the load.
  }
  return list;
}
