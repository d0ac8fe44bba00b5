// The tray icons as drawn (assets/*.png): each stands out at 3:1 or more (WCAG
// 1.4.11) against the panels it is chosen for, light or dark, and the choice
// follows the system (controller/tray-icons.ts; app/tray.ts asks nativeTheme).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { panelShade, trayIconFile, type PanelHints, type PanelShade } from '../../src-main/controller/tray-icons.js';
import type { TrayIcon } from '../../src-main/controller/tray-menu.js';
import { decodePng } from '../support/png-pixels.js';

const ASSETS = fileURLToPath(new URL('../../../assets/', import.meta.url));
const ICONS: readonly TrayIcon[] = ['running', 'stopped', 'syncing'];

/** Panels people have: Windows 11's light and dark taskbars, white, GNOME's black top bar, KDE Breeze Dark's panel. */
const PANELS: Readonly<Record<PanelShade, readonly (readonly [number, number, number])[]>> = {
  light: [
    [255, 255, 255],
    [243, 243, 243],
    [238, 238, 238],
  ],
  dark: [
    [0, 0, 0],
    [32, 32, 32],
    [49, 54, 59],
  ],
};

function luminance([r, g, b]: readonly [number, number, number]): number {
  const f = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

function contrast(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** The colour of the icon's solid pixels (its edges are blended, its middle is one colour). */
function inkOf(file: string): [number, number, number] {
  const { rgba } = decodePng(readFileSync(`${ASSETS}${file}`));
  const solid: [number, number, number][] = [];
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3] === 255) solid.push([rgba[i]!, rgba[i + 1]!, rgba[i + 2]!]);
  assert.ok(solid.length > 50, `${file} draws something`);
  return solid[Math.floor(solid.length / 2)]!;
}

test('every tray icon stands out at 3:1 against the panels it is chosen for, at 1x and 2x', () => {
  for (const shade of ['light', 'dark'] as const) {
    for (const icon of ICONS) {
      const file = trayIconFile('linux', icon, shade);
      for (const name of [file, file.replace('.png', '@2x.png')]) {
        const ink = inkOf(name);
        for (const panel of PANELS[shade]) {
          const ratio = contrast(ink, panel);
          assert.ok(ratio >= 3, `${name} (rgb ${ink.join(',')}) on a ${shade} panel rgb(${panel.join(',')}): ${ratio.toFixed(2)}:1`);
        }
      }
    }
  }
});

test('the light-panel icons would not do on a dark panel: the dark-panel set is needed', () => {
  // The syncing blue and the stopped grey drawn for light panels are under 3:1 on a Breeze Dark panel: what the variant is for.
  assert.ok(contrast(inkOf(trayIconFile('linux', 'syncing', 'light')), [49, 54, 59]) < 3);
  assert.ok(contrast(inkOf(trayIconFile('linux', 'stopped', 'light')), [49, 54, 59]) < 3);
});

test('the panel shade follows the system: Windows by its taskbar setting, macOS by its appearance, Linux by its theme or desktop', () => {
  const hints = (over: Partial<PanelHints>): PanelHints => ({
    platform: 'linux',
    darkColors: false,
    darkSystemUi: false,
    desktop: '',
    ...over,
  });
  assert.equal(panelShade(hints({ platform: 'win32', darkSystemUi: true })), 'dark');
  assert.equal(
    panelShade(hints({ platform: 'win32', darkColors: true, darkSystemUi: false })),
    'light',
    "Windows: the taskbar's own setting, not the apps'",
  );
  assert.equal(panelShade(hints({ platform: 'darwin', darkColors: true })), 'dark');
  assert.equal(panelShade(hints({ platform: 'darwin' })), 'light');
  assert.equal(panelShade(hints({ desktop: 'ubuntu:GNOME' })), 'dark', "GNOME's top bar is dark in the light theme too");
  assert.equal(panelShade(hints({ desktop: 'KDE' })), 'light');
  assert.equal(panelShade(hints({ desktop: 'KDE', darkColors: true })), 'dark');
  assert.deepEqual(
    ICONS.map((icon) => trayIconFile('linux', icon, 'dark')),
    ['tray-running-on-dark.png', 'tray-stopped-on-dark.png', 'tray-syncing-on-dark.png'],
  );
});
