// Which tray picture to show. Each icon (running, stopped, syncing) comes drawn
// for a light panel and, in lighter colours, for a dark one, so it stands out at
// 3:1 on either (scripts/generate-icons.mjs; test/controller/tray-icons.test.ts
// measures both). Per system: macOS template images, which it recolours for
// light and dark menu bars itself (16 px, with @2x beside them); Windows .ico
// files, which hold every size its scaling settings ask for; PNGs elsewhere.
// app/tray.ts asks Electron's nativeTheme and hands its answers here, so the
// choice is tested in plain Node.

import type { TrayIcon } from './tray-menu.js';

export type PanelShade = 'light' | 'dark';

export interface PanelHints {
  readonly platform: NodeJS.Platform;
  /** nativeTheme.shouldUseDarkColors: the system (or, on Linux, the GTK theme) is dark. */
  readonly darkColors: boolean;
  /** nativeTheme.shouldUseDarkColorsForSystemIntegratedUI: Windows' taskbar is dark (its own setting, apart from apps'). */
  readonly darkSystemUi: boolean;
  /** XDG_CURRENT_DESKTOP on Linux, e.g. "ubuntu:GNOME", "KDE". */
  readonly desktop: string;
}

/** Linux desktops whose top panel is dark whatever the theme (GNOME's top bar, Ubuntu's, Cinnamon's, Pantheon's). */
const DARK_PANEL_DESKTOPS = /GNOME|Unity|Cinnamon|Pantheon|Budgie/i;

export function panelShade(hints: PanelHints): PanelShade {
  switch (hints.platform) {
    case 'win32':
      return hints.darkSystemUi ? 'dark' : 'light';
    case 'darwin':
      return hints.darkColors ? 'dark' : 'light';
    default:
      return hints.darkColors || DARK_PANEL_DESKTOPS.test(hints.desktop) ? 'dark' : 'light';
  }
}

/** The file under assets/ for an icon, on this system, on a panel of this shade. */
export function trayIconFile(platform: NodeJS.Platform, icon: TrayIcon, shade: PanelShade): string {
  // macOS recolours template images for its menu bar: one file serves both shades.
  if (platform === 'darwin') return `tray-${icon}Template.png`;
  const suffix = shade === 'dark' ? '-on-dark' : '';
  return platform === 'win32' ? `tray-${icon}${suffix}.ico` : `tray-${icon}${suffix}.png`;
}
