import { describe, expect, it } from 'vitest';

import { MAX_RECENT_FOLDERS, recentFolders, rememberFolder } from '../../src-renderer/recent-folders.js';

function memory(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('recent folders', () => {
  it('keeps the most recent first, without duplicates, and at most a few', () => {
    const s = memory();
    expect(recentFolders(s)).toEqual([]);
    rememberFolder('/a', s);
    rememberFolder('/b', s);
    expect(rememberFolder('/a', s)).toEqual(['/a', '/b']);
    for (let i = 0; i < 20; i++) rememberFolder(`/d${i}`, s);
    expect(recentFolders(s)).toHaveLength(MAX_RECENT_FOLDERS);
    expect(recentFolders(s)[0]).toBe('/d19');
  });

  it('reads a damaged entry as empty, and survives a storage that refuses writes', () => {
    expect(recentFolders(memory({ 'ae-explorer.recent-folders': '{not json' }))).toEqual([]);
    expect(recentFolders(memory({ 'ae-explorer.recent-folders': '[1, "", "/ok"]' }))).toEqual(['/ok']);
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(rememberFolder('/x', full)).toEqual(['/x']);
    expect(rememberFolder('/x', null)).toEqual(['/x']);
  });
});
