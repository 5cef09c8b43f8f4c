import { describe, expect, it } from 'vitest';

import { csvField, parseCsv, projectionsCsv } from '../../../src-main/engine/export/csv.js';

describe('projectionsCsv', () => {
  const positions = Float32Array.from([0.1, -2.5, 3.333333, 4e-7, -1.5, 123456.78, 1 / 3, 2 / 3]);
  const labels = Int32Array.from([0, 1, -1, 2]);
  const classNames = ['zero', 'one', 'two'];

  it('round-trips: parsing it back gives the same rows and the same float32 numbers', () => {
    const text = projectionsCsv({ positions, labels, classNames, files: null });
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows).toHaveLength(5);
    for (let i = 0; i < 4; i++) {
      expect(Number(rows[i + 1][0])).toBe(i);
      expect(rows[i + 1][1]).toBe(labels[i] >= 0 ? classNames[labels[i]] : '');
      expect(Math.fround(Number(rows[i + 1][2]))).toBe(positions[2 * i]);
      expect(Math.fround(Number(rows[i + 1][3]))).toBe(positions[2 * i + 1]);
    }
  });

  it('adds a file column and quotes awkward file names', () => {
    const files = ['a,b.png', 'say "hi".png', 'line\nbreak.png', 'ünïcödé ✓.png'];
    const rows = parseCsv(projectionsCsv({ positions, labels, classNames, files }));
    expect(rows[0]).toEqual(['index', 'file', 'label', 'x', 'y']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(files);
  });

  it('writes only the selected rows when given rows', () => {
    const rows = parseCsv(projectionsCsv({ positions, labels, classNames, files: null, rows: [3, 1] }));
    expect(rows.slice(1).map((r) => r[0])).toEqual(['3', '1']);
  });

  it('adds the optional error, cluster (from 1) and z0..zK columns in that order', () => {
    const errors = Float32Array.from([0.25, 0.5, 0.125, 1 / 3]);
    const clusters = Int32Array.from([0, 2, -1, 1]);
    const codes = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), size: 3 };
    const rows = parseCsv(projectionsCsv({ positions, labels, classNames, files: null, errors, clusters, codes }));
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y', 'error', 'cluster', 'z0', 'z1', 'z2']);
    expect(rows[2].slice(4)).toEqual(['0.5', '3', '4', '5', '6']);
    expect(rows[3][5]).toBe('');
    expect(Math.fround(Number(rows[4][4]))).toBe(errors[3]);
    const selected = parseCsv(projectionsCsv({ positions, labels, classNames, files: null, codes, rows: [3] }));
    expect(selected).toEqual([
      ['index', 'label', 'x', 'y', 'z0', 'z1', 'z2'],
      ['3', 'two', '0.33333334', '0.6666667', '10', '11', '12'],
    ]);
  });

  it('refuses extra columns for another number of items', () => {
    expect(() => projectionsCsv({ positions, labels, classNames, files: null, errors: new Float32Array(3) })).toThrow(
      /errors are for 3 items, the map has 4/,
    );
  });

  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField('a,b')).toBe('"a,b"');
  });
});
