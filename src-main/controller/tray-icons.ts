// Which file each tray icon comes from, per system (all made by
// scripts/generate-icons.mjs): macOS template images, which it recolours for
// light and dark menu bars (16 px, with @2x beside them); Windows .ico files,
// which hold every size its scaling settings ask for; PNGs elsewhere.

import type { TrayIcon } from './tray-menu.js';

export function trayIconFile(platform: NodeJS.Platform, icon: TrayIcon): string {
  if (platform === 'darwin') return `tray-${icon}Template.png`;
  if (platform === 'win32') return `tray-${icon}.ico`;
  return `tray-${icon}.png`;
}
