// Draws the extension's icon (a clock face) as PNG at any size, with no
// dependencies, so no binary image has to be kept in the repository.
import { deflateSync, crc32 } from "node:zlib";

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** The disc's colours: green while time counts, grey otherwise. */
export const ICON_COLORS = { active: [0x1a, 0x7f, 0x37], inactive: [0x8c, 0x95, 0x9f] };

/** iconPNG returns a size×size RGBA PNG: a disc of colour (green by default) with white clock hands. */
export function iconPNG(size, colour = ICON_COLORS.active) {
  const [cr, cg, cb] = colour;
  const px = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const r = size / 2;
  const ss = 4; // supersampling per axis
  // distance from point p to segment a-b
  const seg = (x, y, ax, ay, bx, by) => {
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
  };
  const w = Math.max(1, size / 12);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let disc = 0, hand = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const fx = x + (sx + 0.5) / ss - 0.5, fy = y + (sy + 0.5) / ss - 0.5;
          if (Math.hypot(fx - c, fy - c) <= r - 0.5) {
            disc++;
            const d = Math.min(seg(fx, fy, c, c, c, c - r * 0.62), seg(fx, fy, c, c, c + r * 0.45, c));
            if (d <= w / 2) hand++;
          }
        }
      }
      const n = ss * ss;
      const a = disc / n, hw = disc ? hand / disc : 0;
      const i = (y * size + x) * 4;
      px[i] = Math.round(cr + (255 - cr) * hw);
      px[i + 1] = Math.round(cg + (255 - cg) * hw);
      px[i + 2] = Math.round(cb + (255 - cb) * hw);
      px[i + 3] = Math.round(255 * a);
    }
  }
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
