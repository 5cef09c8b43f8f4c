import { describe, expect, it } from 'vitest';

import { compareNames } from '../../../src-main/engine/datasets/walk.js';

describe('compareNames', () => {
  it('orders numbers inside names by value', () => {
    const names = ['img10.png', 'img2.png', 'img1.png', 'b', 'a', 'img02.png', '10', '9', 'img2.jpg'];
    expect(names.sort(compareNames)).toEqual([
      '9',
      '10',
      'a',
      'b',
      'img1.png',
      'img2.jpg',
      'img02.png',
      'img2.png',
      'img10.png',
    ]);
  });
});
