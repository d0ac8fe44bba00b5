// A throwaway profile for launching the real app (--user-data-dir): its
// settings file, as electron-store writes it, and the checks a learner's
// device would make of the running server. Used by the Electron smoke test and
// by the release workflow's checks of the installed apps (test/release/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_FILE_NAME } from '../../src-main/settings/conf-store.js';
import { hashPassword } from '../../src-main/controller/accounts.js';
import { V11Client } from '../support/v11-client.js';

export interface ProfileOptions {
  readonly port: number;
  /** Accounts to create before launch (the packaged smoke test cannot click). */
  readonly users?: readonly { name: string; password: string }[];
  /** Look for updates at start (the release's update proof); off otherwise. */
  readonly checkForUpdates?: boolean;
}

/** Writes `<folder>/settings.json`: this computer only, on `port`, update checks off unless asked for. */
export async function seedProfile(folder: string, options: ProfileOptions): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const users = await Promise.all(
    (options.users ?? []).map(async (user) => ({ name: user.name, phc: await hashPassword(user.password), lastSync: null })),
  );
  const settings = {
    users,
    storageFolder: join(folder, 'collections'),
    port: options.port,
    bindAddress: 'this-computer-only',
    startAtLogin: false,
    startInTray: false,
    trayNoticeShown: true,
    // A desktop without tray icons (xvfb has no D-Bus) would otherwise get the one-time message box.
    noTrayNoticeShown: true,
    checkForUpdates: options.checkForUpdates ?? false,
  };
  writeFileSync(join(folder, `${SETTINGS_FILE_NAME}.json`), JSON.stringify(settings, null, 2));
}

/** Waits until GET /health answers 200 at `base` (`http://127.0.0.1:port/`). */
export async function waitForHealth(base: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const response = await fetch(new URL('health', base));
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${base}health did not answer 200 within ${timeoutMs} ms (${last})`);
}

/** Logs in as a v11 client does; the host key. */
export function loginAt(base: string, name: string, password: string): Promise<string> {
  return new V11Client(base).login(name, password);
}
