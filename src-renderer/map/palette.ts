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

/** Viridis, sampled at nine stops: perceptually uniform and readable in both themes. */
const VIRIDIS: [number, number, number][] = [
  [0.267, 0.005, 0.329],
  [0.283, 0.141, 0.458],
  [0.254, 0.265, 0.53],
  [0.207, 0.372, 0.553],
  [0.164, 0.471, 0.558],
  [0.128, 0.567, 0.551],
  [0.135, 0.659, 0.518],
  [0.267, 0.749, 0.441],
  [0.478, 0.821, 0.318],
  [0.741, 0.873, 0.15],
  [0.993, 0.906, 0.144],
];

/** The continuous scale's colour at t in [0, 1] (clamped), as [r, g, b] in [0, 1]. */
export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A CSS linear-gradient of the continuous scale, for its legend. */
export function rampCss(direction = 'to right'): string {
  const stops = VIRIDIS.map(
    (c, i) => `rgb(${c.map((v) => Math.round(v * 255)).join(' ')}) ${((100 * i) / (VIRIDIS.length - 1)).toFixed(0)}%`,
  );
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}
