import { describe, expect, it } from 'vitest';

import { decideDrop, parentFolder } from '../../src-renderer/drop.js';

describe('what a drop loads', () => {
  it('loads a dropped folder as it is', () => {
    expect(decideDrop('cats', '/home/me/cats', true)).toEqual({ folder: '/home/me/cats' });
    expect(decideDrop('my data.v2', '/d/my data.v2', true)).toEqual({ folder: '/d/my data.v2' });
  });

  it('loads the folder holding a dropped dataset file, so the labels beside it are found', () => {
    expect(decideDrop('x.npy', '/d/arrays/x.npy', false)).toMatchObject({ folder: '/d/arrays' });
    expect(decideDrop('train.csv', 'C:\\data\\kaggle\\train.csv', false)).toMatchObject({ folder: 'C:\\data\\kaggle' });
    expect(decideDrop('train-images-idx3-ubyte.gz', '/m/train-images-idx3-ubyte.gz', false)).toMatchObject({
      folder: '/m',
    });
  });

  it('explains instead of loading an image, another file, or a drop without a path', () => {
    expect(decideDrop('7.png', '/d/7/7.png', false)).toMatchObject({ problem: expect.stringMatching(/one image/) });
    expect(decideDrop('notes.txt', '/d/notes.txt', false)).toMatchObject({
      problem: expect.stringMatching(/not a folder or a dataset file/),
    });
    expect(decideDrop('cats', '', true)).toMatchObject({ problem: expect.stringMatching(/Type or paste its path/) });
  });

  it('lets the engine try an entry without an extension when the browser cannot tell what it is', () => {
    expect(decideDrop('cats', '/d/cats', null)).toEqual({ folder: '/d/cats' });
    expect(decideDrop('a.txt', '/d/a.txt', null)).toMatchObject({ problem: expect.any(String) });
  });
});

describe('parentFolder', () => {
  it('handles both separators, trailing separators and roots', () => {
    expect(parentFolder('/a/b/c.csv')).toBe('/a/b');
    expect(parentFolder('/c.csv')).toBe('/');
    expect(parentFolder('C:\\c.csv')).toBe('C:\\');
    expect(parentFolder('/a/b/')).toBe('/a');
  });
});
