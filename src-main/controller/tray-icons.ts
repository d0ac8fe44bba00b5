// Which tray picture to show: each icon (running, stopped, syncing) comes drawn
// for a light panel and, in lighter colours, for a dark one, so it stands out
// at 3:1 on either (assets/generate-icons.mjs; test/app/tray-icons.test.ts
// measures both). app/tray.ts asks Electron's nativeTheme and hands its answers
// here, so the choice is tested in plain Node.

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
      // The menu bar follows the appearance (template images would let macOS choose by itself).
      return hints.darkColors ? 'dark' : 'light';
    default:
      return hints.darkColors || DARK_PANEL_DESKTOPS.test(hints.desktop) ? 'dark' : 'light';
  }
}

/** The file under assets/ for an icon on a panel of this shade. */
export function trayIconFile(icon: TrayIcon, shade: PanelShade): string {
  return shade === 'dark' ? `tray-${icon}-on-dark.png` : `tray-${icon}.png`;
}
