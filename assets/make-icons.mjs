// Renders assets/icon.svg to every icon the installers need: PNGs from 16 to
// 1024 px (Linux; electron-builder reads assets/icons/<size>x<size>.png),
// icon.ico (Windows, PNG-compressed entries 16–256) and icon.icns (macOS,
// PNG entries 16–1024). Run with `npm run icons` after editing the SVG; the
// outputs are committed so packaging needs no image tools.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const svg = await readFile(path.join(here, 'icon.svg'));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const png = {};
await mkdir(path.join(here, 'icons'), { recursive: true });
for (const size of SIZES) {
  // Render at high density, then downscale: small sizes stay crisp.
  png[size] = await sharp(svg, { density: Math.max(72, Math.ceil((72 * size * 2) / 1024)) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
  await writeFile(path.join(here, 'icons', `${size}x${size}.png`), png[size]);
}
await writeFile(path.join(here, 'icon.png'), png[512]);

// ICO: 6-byte header, 16-byte directory entry per image, then the PNGs.
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((s, i) => {
  const e = 6 + 16 * i;
  header.writeUInt8(s === 256 ? 0 : s, e); // 0 means 256
  header.writeUInt8(s === 256 ? 0 : s, e + 1);
  header.writeUInt16LE(1, e + 4); // colour planes
  header.writeUInt16LE(32, e + 6); // bits per pixel
  header.writeUInt32LE(png[s].length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += png[s].length;
});
await writeFile(path.join(here, 'icon.ico'), Buffer.concat([header, ...icoSizes.map((s) => png[s])]));

// ICNS: "icns" + total length, then (type, length, PNG) per entry.
const icnsTypes = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];
const chunks = icnsTypes.map(([type, s]) => {
  const h = Buffer.alloc(8);
  h.write(type, 0, 'ascii');
  h.writeUInt32BE(8 + png[s].length, 4);
  return Buffer.concat([h, png[s]]);
});
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'ascii');
icnsHeader.writeUInt32BE(8 + chunks.reduce((a, c) => a + c.length, 0), 4);
await writeFile(path.join(here, 'icon.icns'), Buffer.concat([icnsHeader, ...chunks]));
console.log(`wrote assets/icons/{${SIZES.join(',')}}px PNGs, icon.png (512), icon.ico, icon.icns`);
