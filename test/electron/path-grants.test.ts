import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { PathGrants, pathToRead, readProblem } from '../../src-main/electron/path-grants.js';
import type { DatasetInfo } from '../../src-main/protocol.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aex-grants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('granted paths', () => {
  it('grants exactly what was chosen, compared as resolved paths', () => {
    const g = new PathGrants();
    g.grant('/data/cats/');
    expect(g.allows('/data/cats')).toBe(true);
    expect(g.allows('/data/x/../cats')).toBe(true);
    for (const other of ['/data', '/data/cats/sub', '/data/cats2', '/home/me/.ssh', '', 'x'.repeat(5000)])
      expect(g.allows(other), other).toBe(false);
  });

  it('ignores what is not a path', () => {
    const g = new PathGrants();
    g.grant('');
    g.grant('a\0b');
    expect(g.allows(path.resolve(''))).toBe(false);
  });

  it('grants a dropped folder alone, and a dropped dataset file with the folder that holds it', () => {
    const folder = path.join(dir, 'images');
    mkdirSync(folder);
    const csv = path.join(dir, 'arrays', 'data.csv');
    mkdirSync(path.dirname(csv));
    writeFileSync(csv, '1,2\n');
    const g = new PathGrants();
    g.grantDropped(folder);
    expect(g.allows(folder)).toBe(true);
    expect(g.allows(dir)).toBe(false);
    g.grantDropped(csv);
    expect(g.allows(csv)).toBe(true);
    expect(g.allows(path.dirname(csv))).toBe(true);
    // A path that cannot be read: itself only.
    g.grantDropped(path.join(dir, 'gone', 'x.npy'));
    expect(g.allows(path.join(dir, 'gone'))).toBe(false);
  });

  it('grants a folder the engine loaded, such as a reopened session’s dataset', () => {
    const g = new PathGrants();
    g.onEvent({
      type: 'datasetLoaded',
      jobId: 'j',
      info: { source: { kind: 'folder', path: '/s/data' } } as DatasetInfo,
    });
    g.onEvent({ type: 'datasetLoaded', jobId: 'j', info: { source: { kind: 'mnist' } } as DatasetInfo });
    expect(g.allows('/s/data')).toBe(true);
  });
});

describe('commands that read files', () => {
  it('knows which commands name a path to read', () => {
    expect(pathToRead({ type: 'loadDataset', jobId: 'j', source: { kind: 'folder', path: '/d' } })).toBe('/d');
    expect(pathToRead({ type: 'openSession', jobId: 'j', path: '/s.aex' })).toBe('/s.aex');
    expect(pathToRead({ type: 'loadDataset', jobId: 'j', source: { kind: 'mnist' } })).toBeNull();
    expect(pathToRead({ type: 'hello' })).toBeNull();
  });

  it('says why and how to choose, for a path not granted', () => {
    const g = new PathGrants();
    g.grant('/ok');
    expect(readProblem({ type: 'loadDataset', jobId: 'j', source: { kind: 'folder', path: '/ok' } }, g)).toBeNull();
    expect(readProblem({ type: 'loadDataset', jobId: 'j', source: { kind: 'folder', path: '/no' } }, g)).toBe(
      'the desktop app reads only what you chose in it, and /no was not chosen: open it with File → Open Dataset Folder…, drop it on the window, or pick it from File → Recent',
    );
    expect(readProblem({ type: 'openSession', jobId: 'j', path: '/no.aex' }, g)).toMatch(/File → Open Session…/);
  });
});
