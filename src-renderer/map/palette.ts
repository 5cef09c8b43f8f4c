/** Tableau 10: distinct, colour-blind-aware categorical colours. */
export const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Colour for unlabeled points. */
export const UNLABELED = '#888888';

/** The colour of a class index (cycling past ten classes; -1 = unlabeled). */
export function classColor(label: number): string {
  return label < 0 ? UNLABELED : CATEGORICAL[label % CATEGORICAL.length];
}

/** '#rrggbb' → [r, g, b] in [0, 1]. */
export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}
