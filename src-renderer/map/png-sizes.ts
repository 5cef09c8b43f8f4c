/** The image sizes the PNG export offers (no DOM here, so tests run in Node). */

/** A size the export dialog offers. */
export interface PngSize {
  id: string;
  label: string;
  width: number;
  height: number;
}

/** The sizes offered for a map of `mapWidth`×`mapHeight` CSS pixels: multiples of it and common widths. */
export function pngSizes(mapWidth: number, mapHeight: number): PngSize[] {
  const aspect = mapHeight / mapWidth;
  const of = (id: string, label: string, width: number): PngSize => {
    const w = Math.max(1, Math.round(width));
    return { id, label, width: w, height: Math.max(1, Math.round(w * aspect)) };
  };
  return [
    of('1x', 'Map size (1×)', mapWidth),
    of('2x', '2×', 2 * mapWidth),
    of('4x', '4×', 4 * mapWidth),
    of('1920', '1920 px wide', 1920),
    of('3840', '3840 px wide', 3840),
  ];
}
