// Draws the app and tray icons with no dependencies: a two-arrow "sync" ring,
// white on a blue tile for the app, green (running) or grey (stopped) on
// transparency for the tray, blue while a device syncs. Each tray icon comes
// for a light panel and, lighter (`-on-dark`), for a dark one, each at 3:1 or
// more against its panel (test/controller/tray-icons.test.ts):
//   - Linux: the tray PNGs, 32 px (and @2x).
//   - macOS: template images, 16 px and 32 px (@2x): black and alpha only, which
//     macOS recolours for light and dark menu bars. Their state shows in shape and
//     strength: full while running, faint while stopped, with a dot while syncing.
//   - Windows: one .ico per state and panel holding 16, 20, 24, 32 and 48 px (PNG entries).
// Run `node scripts/generate-icons.mjs` after a change and commit what it writes to
// assets/ (`node scripts/generate-icons.mjs <folder>` writes elsewhere: the test
// compares that with the committed files).
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.argv[2] ? resolve(process.argv[2]) : join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

function png(size, pixel) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) row.set(pixel(x, y), 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0..1 square).
function insideRoundedSquare(u, v, r) {
  const dx = Math.max(r - u, u - (1 - r), 0);
  const dy = Math.max(r - v, v - (1 - r), 0);
  return dx * dx + dy * dy <= r * r;
}

function insideTriangle(px, py, [ax, ay], [bx, by], [cx, cy]) {
  const s = (x1, y1, x2, y2, x3, y3) => (x1 - x3) * (y2 - y3) - (x2 - x3) * (y1 - y3);
  const d1 = s(px, py, ax, ay, bx, by);
  const d2 = s(px, py, bx, by, cx, cy);
  const d3 = s(px, py, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** Two arcs chasing each other round a circle, each ending in an arrowhead. */
function insideSyncMark(u, v, scale) {
  const cx = 0.5,
    cy = 0.5;
  const R = 0.3 * scale,
    w = 0.085 * scale;
  const dx = u - cx,
    dy = v - cy;
  const dist = Math.hypot(dx, dy);
  let angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  if (angle < 0) angle += 360;
  const onArc = (from, to) => angle >= from && angle <= to && Math.abs(dist - R) <= w / 2;
  if (onArc(200, 340) || onArc(20, 160)) return true;
  for (const end of [340, 160]) {
    const a = (end * Math.PI) / 180;
    const tip = (end + 32) * (Math.PI / 180);
    const outer = [cx + (R + w * 1.5) * Math.cos(a), cy + (R + w * 1.5) * Math.sin(a)];
    const inner = [cx + (R - w * 1.5) * Math.cos(a), cy + (R - w * 1.5) * Math.sin(a)];
    const t = [cx + R * Math.cos(tip), cy + R * Math.sin(tip)];
    if (insideTriangle(u, v, outer, inner, t)) return true;
  }
  return false;
}

function draw(size, shade) {
  const n = 4; // 4x4 supersampling for smooth edges
  return png(size, (x, y) => {
    let acc = [0, 0, 0, 0];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const [r, g, b, a] = shade((x + (i + 0.5) / n) / size, (y + (j + 0.5) / n) / size);
        acc = [acc[0] + r * a, acc[1] + g * a, acc[2] + b * a, acc[3] + a];
      }
    const alpha = acc[3] / (n * n);
    if (alpha === 0) return [0, 0, 0, 0];
    return [acc[0] / acc[3], acc[1] / acc[3], acc[2] / acc[3], alpha].map(Math.round);
  });
}

const appIcon = (u, v) => {
  if (!insideRoundedSquare(u, v, 0.22)) return [0, 0, 0, 0];
  if (insideSyncMark(u, v, 1)) return [255, 255, 255, 255];
  const t = (u + v) / 2; // a gentle diagonal gradient
  return [Math.round(59 - 30 * t), Math.round(130 - 52 * t), Math.round(246 - 30 * t), 255];
};
const trayIcon = (rgb) => (u, v) => (insideSyncMark(u, v, 1.45) ? [...rgb, 255] : [0, 0, 0, 0]);
// While a device syncs: blue, with a dot in the middle, so it reads at 16 px too.
const syncingIcon = (rgb) => (u, v) => (insideSyncMark(u, v, 1.45) || Math.hypot(u - 0.5, v - 0.5) <= 0.16 ? [...rgb, 255] : [0, 0, 0, 0]);

// Colours for a light panel, and for a dark one.
const COLOURS = {
  light: { running: [21, 128, 61], stopped: [107, 114, 128], syncing: [37, 99, 235] },
  dark: { running: [74, 222, 128], stopped: [209, 213, 219], syncing: [96, 165, 250] },
};

// macOS template images: black, the state in the alpha channel only.
const templateIcon = (alpha, dot) => (u, v) =>
  insideSyncMark(u, v, 1.45) || (dot && Math.hypot(u - 0.5, v - 0.5) <= 0.16) ? [0, 0, 0, alpha] : [0, 0, 0, 0];

/** An .ico whose entries are PNGs (Windows Vista and later), smallest first. */
function ico(shade, sizes) {
  const images = sizes.map((size) => draw(size, shade));
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const entry = 6 + 16 * i;
    const size = sizes[i];
    header.writeUInt8(size >= 256 ? 0 : size, entry); // width (0 means 256)
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1); // height
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3); // reserved
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(image.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += image.length;
  });
  return Buffer.concat([header, ...images]);
}

const ICO_SIZES = [16, 20, 24, 32, 48];

const outputs = {
  'icon.png': draw(512, appIcon),
  'tray-runningTemplate.png': draw(16, templateIcon(255, false)),
  'tray-runningTemplate@2x.png': draw(32, templateIcon(255, false)),
  'tray-stoppedTemplate.png': draw(16, templateIcon(110, false)),
  'tray-stoppedTemplate@2x.png': draw(32, templateIcon(110, false)),
  'tray-syncingTemplate.png': draw(16, templateIcon(255, true)),
  'tray-syncingTemplate@2x.png': draw(32, templateIcon(255, true)),
};
for (const [panel, colours] of Object.entries(COLOURS)) {
  const suffix = panel === 'dark' ? '-on-dark' : '';
  for (const [state, rgb] of Object.entries(colours)) {
    const shade = state === 'syncing' ? syncingIcon(rgb) : trayIcon(rgb);
    outputs[`tray-${state}${suffix}.png`] = draw(32, shade);
    outputs[`tray-${state}${suffix}@2x.png`] = draw(64, shade);
    outputs[`tray-${state}${suffix}.ico`] = ico(shade, ICO_SIZES);
  }
}
mkdirSync(out, { recursive: true });
for (const [name, data] of Object.entries(outputs)) writeFileSync(join(out, name), data);
console.log(`wrote ${Object.keys(outputs).join(', ')} to ${out}`);
