// The tray icons (scripts/generate-icons.mjs): what is committed in assets/ is
// what the script makes; macOS gets 16 and 32 px template images (black, the
// state in alpha only), Windows an .ico per state with its small sizes, Linux
// PNGs; and the tray picks each system's (controller/tray-icons.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { trayIconFile } from '../../src-main/controller/tray-icons.js';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { makeTempFolder } from '../support/temp-folder.js';

const ASSETS = join(REPO_ROOT, 'assets');
const STATES = ['running', 'stopped', 'syncing'] as const;

/** Width, height and RGBA pixels of an 8-bit RGBA PNG without filters (what the script writes). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.deepEqual([png[24], png[25]], [8, 6], '8-bit RGBA');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (1 + width * 4)], 0, 'filter 0');
    raw.copy(rgba, y * width * 4, y * (1 + width * 4) + 1, (y + 1) * (1 + width * 4));
  }
  return { width, height, rgba };
}

test('assets/ holds exactly what scripts/generate-icons.mjs makes', (t) => {
  const out = makeTempFolder('ahs-icons-');
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'generate-icons.mjs'), out], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const made = readdirSync(out).sort();
  for (const name of made) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(ASSETS, name))), `${name} is up to date`);
  const committed = readdirSync(ASSETS)
    .filter((name) => /\.(png|ico)$/.test(name))
    .sort();
  assert.deepEqual(committed, made, 'no icon in assets/ that the script does not make');
});

test('macOS: 16 px and 32 px (@2x) template images, black with the state in alpha', () => {
  const alphaSum: Record<string, number> = {};
  for (const state of STATES) {
    for (const [name, size] of [
      [`tray-${state}Template.png`, 16],
      [`tray-${state}Template@2x.png`, 32],
    ] as const) {
      const { width, height, rgba } = decodePng(readFileSync(join(ASSETS, name)));
      assert.deepEqual([width, height], [size, size], name);
      let sum = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        assert.deepEqual([rgba[i], rgba[i + 1], rgba[i + 2]], [0, 0, 0], `${name}: black only, so macOS can recolour it`);
        sum += rgba[i + 3]!;
      }
      if (size === 32) alphaSum[state] = sum;
    }
  }
  assert.ok(alphaSum['stopped']! < alphaSum['running']! * 0.6, 'stopped is fainter than running');
  assert.ok(alphaSum['syncing']! > alphaSum['running']!, 'syncing adds a dot');
});

test('Windows: one .ico per state and panel shade, holding 16 to 48 px PNGs', () => {
  for (const state of STATES.flatMap((s) => [s, `${s}-on-dark`])) {
    const ico = readFileSync(join(ASSETS, `tray-${state}.ico`));
    assert.deepEqual([ico.readUInt16LE(0), ico.readUInt16LE(2)], [0, 1], 'an icon file');
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico[entry]!;
      const bytes = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      const image = decodePng(ico.subarray(offset, offset + bytes));
      assert.deepEqual([image.width, image.height], [size, size], `${state}: entry ${i} is the size it says`);
      sizes.push(size);
    }
    for (const needed of [16, 20, 24, 32, 48])
      assert.ok(sizes.includes(needed), `${state}: ${needed} px (Windows scaling ${(needed / 16) * 100}%)`);
  }
});

test("each system's tray takes its own kind of file, for each panel shade, and every one exists", () => {
  for (const state of STATES) {
    for (const shade of ['light', 'dark'] as const) {
      assert.equal(trayIconFile('darwin', state, shade), `tray-${state}Template.png`, 'macOS recolours one template for both');
      const suffix = shade === 'dark' ? '-on-dark' : '';
      assert.equal(trayIconFile('win32', state, shade), `tray-${state}${suffix}.ico`);
      assert.equal(trayIconFile('linux', state, shade), `tray-${state}${suffix}.png`);
      for (const platform of ['darwin', 'win32', 'linux'] as const)
        assert.ok(existsSync(join(ASSETS, trayIconFile(platform, state, shade))));
    }
  }
});
