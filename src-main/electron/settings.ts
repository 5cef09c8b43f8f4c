/**
 * What the desktop app remembers between runs (window bounds, theme, recent
 * folders and sessions), in one JSON file in the user-data folder. Reading
 * never fails: a missing or damaged file gives the defaults. Writes are atomic.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { writeFileAtomic } from '../engine/util/atomic-write.js';
import type { Bounds } from './security.js';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** The remembered state. */
export interface Settings {
  window: { bounds: Bounds; maximized: boolean };
  theme: Theme;
  /** Most recent first: dataset folders and session files. */
  recent: { kind: 'folder' | 'session'; path: string }[];
}

/** The first-run state. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  window: { bounds: { width: 1280, height: 840 }, maximized: false },
  theme: 'system',
  recent: [],
});

/** How many recent entries the File menu lists. */
export const MAX_RECENT = 8;

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** Reads settings from JSON text, keeping only the well-formed parts. */
export function parseSettings(text: string | null): Settings {
  const s: Settings = structuredClone(DEFAULT_SETTINGS) as Settings;
  if (!text) return s;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return s;
  }
  if (!raw || typeof raw !== 'object') return s;
  const w = raw.window as { bounds?: Record<string, unknown>; maximized?: unknown } | undefined;
  const b = w?.bounds;
  if (b && isInt(b.width) && isInt(b.height) && b.width >= 200 && b.height >= 150) {
    s.window.bounds = { width: b.width, height: b.height, ...(isInt(b.x) && isInt(b.y) ? { x: b.x, y: b.y } : {}) };
  }
  if (typeof w?.maximized === 'boolean') s.window.maximized = w.maximized;
  if (THEMES.includes(raw.theme as Theme)) s.theme = raw.theme as Theme;
  if (Array.isArray(raw.recent)) {
    s.recent = raw.recent
      .filter(
        (r): r is Settings['recent'][number] =>
          !!r && (r.kind === 'folder' || r.kind === 'session') && typeof r.path === 'string' && r.path.length > 0,
      )
      .slice(0, MAX_RECENT);
  }
  return s;
}

/** Loads the settings file (defaults when missing or damaged). */
export async function loadSettings(file: string): Promise<Settings> {
  return parseSettings(await readFile(file, 'utf8').catch(() => null));
}

/** Saves the settings file atomically. */
export async function saveSettings(file: string, settings: Settings): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(settings, null, 2));
}

/** Saves the settings file atomically and synchronously (while the app quits). */
export function saveSettingsSync(file: string, settings: Settings): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(settings, null, 2), { flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Puts an entry first in the recent list (no duplicates, at most MAX_RECENT). */
export function addRecent(recent: Settings['recent'], entry: Settings['recent'][number]): Settings['recent'] {
  return [entry, ...recent.filter((r) => r.path !== entry.path || r.kind !== entry.kind)].slice(0, MAX_RECENT);
}

/** A display's usable area. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Makes saved bounds fit today's displays: a window whose saved position is
 * on no display (a monitor was unplugged) is centred by the OS instead, and
 * it is never larger than the display it lands on.
 */
export function fitBounds(bounds: Bounds, workAreas: Rect[]): Bounds {
  if (workAreas.length === 0) return bounds;
  const { x, y } = bounds;
  const home =
    x !== undefined && y !== undefined
      ? workAreas.find((a) => x + 40 >= a.x && x + 40 < a.x + a.width && y + 20 >= a.y && y + 20 < a.y + a.height)
      : undefined;
  const area = home ?? workAreas[0];
  const width = Math.min(bounds.width, area.width);
  const height = Math.min(bounds.height, area.height);
  return home ? { x, y, width, height } : { width, height };
}
