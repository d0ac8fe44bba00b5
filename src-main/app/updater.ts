// electron-updater behind the controller's Updater interface (controller/updates.ts
// decides when to check and when installing is safe). Releases come from the
// GitHub releases the release workflow publishes (electron-builder.yml `publish`).

import electronUpdater from 'electron-updater';
import type { Updater } from '../controller/updates.js';

/**
 * `beforeInstall` drains the server (syncs in progress finish) before the app
 * quits into the installer.
 */
export function githubUpdater(beforeInstall: () => Promise<void>, log: (message: string, error?: unknown) => void): Updater {
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  // The controller installs on quit itself, after the server has drained.
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.on('error', (error) => log('updater', error));
  return {
    async checkAndDownload() {
      const result = await autoUpdater.checkForUpdates();
      if (result === null || !result.isUpdateAvailable) return null;
      await result.downloadPromise;
      return result.updateInfo.version;
    },
    installNow(restart) {
      void beforeInstall()
        .catch((error) => log('draining before the update', error))
        .finally(() => autoUpdater.quitAndInstall(true, restart));
    },
  };
}
