// Start at login. Windows and macOS have an API for it; on Linux the freedesktop
// way is a .desktop file in ~/.config/autostart.

import { app } from 'electron';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Passed when the system starts the app at login, so it opens in the tray. */
export const LOGIN_ARG = '--started-at-login';

function linuxAutostartFile(): string {
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'anki-home-sync.desktop');
}

export async function setStartAtLogin(on: boolean): Promise<void> {
  if (process.platform === 'win32' || process.platform === 'darwin') {
    app.setLoginItemSettings({ openAtLogin: on, args: [LOGIN_ARG] });
    return;
  }
  const file = linuxAutostartFile();
  if (!on) {
    await fs.rm(file, { force: true });
    return;
  }
  // An AppImage moves with its file; APPIMAGE names the file itself.
  const executable = process.env.APPIMAGE ?? process.execPath;
  await fs.mkdir(join(file, '..'), { recursive: true });
  await fs.writeFile(
    file,
    [
      '[Desktop Entry]',
      'Type=Application',
      'Name=Anki Home Sync',
      `Exec="${executable}" ${LOGIN_ARG}`,
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n'),
  );
}

export function startedAtLogin(): boolean {
  return process.argv.includes(LOGIN_ARG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true);
}
