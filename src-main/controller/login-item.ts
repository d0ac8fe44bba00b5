// Start at login, in plain Node. Windows and macOS keep the setting themselves
// (Electron's setLoginItemSettings, in src-main/app/login-item.ts); on Linux it
// is a freedesktop autostart entry, written here. The entry names the app's
// file, which an AppImage update replaces under a new name, so it is written
// again at every start while the setting is on.

import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Passed when the system starts the app at login, so it opens in the tray. */
export const LOGIN_ARG = '--started-at-login';

/** Windows's id for the app (notifications, taskbar): electron-builder.yml's appId, which the installer's shortcut carries. */
export const APP_USER_MODEL_ID = 'org.ankihomesync.app';

export function linuxAutostartFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const config = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(home, '.config');
  return join(config, 'autostart', 'anki-home-sync.desktop');
}

/** The file to start: an AppImage is started by its own file (APPIMAGE), anything else by its executable. */
export function autostartExecutable(env: NodeJS.ProcessEnv, execPath: string): string {
  const appImage = env['APPIMAGE'];
  return appImage !== undefined && appImage !== '' ? appImage : execPath;
}

/**
 * One argument of a desktop entry's Exec key (freedesktop Desktop Entry
 * Specification, "The Exec key"): quoted when it holds a reserved character,
 * with " ` $ \ escaped inside the quotes, and % doubled. The key's value is then
 * a string value, whose own escaping doubles every backslash again.
 */
export function execArgument(arg: string): string {
  if (/[\n\r\t\0]/.test(arg)) throw new Error(`cannot start "${arg}" at login: its path holds a control character`);
  const percent = arg.replace(/%/g, '%%');
  const quoted = /[ "'\\><~|&;$*?#()`]/.test(percent) ? `"${percent.replace(/(["`$\\])/g, '\\$1')}"` : percent;
  return quoted.replace(/\\/g, '\\\\');
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Anki Home Sync',
    'Comment=Sync server for Anki, in your tray',
    `Exec=${execArgument(executable)} ${LOGIN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes the autostart entry (a whole new file, put in place by rename) or removes it. */
export async function writeLinuxAutostart(on: boolean, executable: string, file: string = linuxAutostartFile()): Promise<void> {
  if (!on) {
    await fs.rm(file, { force: true });
    return;
  }
  const content = autostartEntry(executable);
  if ((await fs.readFile(file, 'utf8').catch(() => null)) === content) return;
  await fs.mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, content, { mode: 0o644 });
  await fs.rename(temp, file);
}

/** Whether this launch was the system's, at login (macOS says so itself; elsewhere the entry passes LOGIN_ARG). */
export function startedAtLogin(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return argv.includes(LOGIN_ARG) || wasOpenedAtLogin;
}
