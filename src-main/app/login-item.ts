// Start at login, handed to the system: Electron's login item on Windows and
// macOS, the autostart entry (controller/login-item.ts) on Linux.

import { app } from 'electron';
import { autostartExecutable, LOGIN_ARG, startedAtLogin, writeLinuxAutostart } from '../controller/login-item.js';

export async function setStartAtLogin(on: boolean): Promise<void> {
  if (process.platform === 'win32' || process.platform === 'darwin') {
    app.setLoginItemSettings({ openAtLogin: on, args: [LOGIN_ARG] });
    return;
  }
  await writeLinuxAutostart(on, autostartExecutable(process.env, process.execPath));
}

export function launchedAtLogin(): boolean {
  return startedAtLogin(process.argv, process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true);
}
