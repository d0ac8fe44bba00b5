// electron-updater behind the controller's Updater interface (controller/updates.ts
// decides when to check and when installing is safe; controller/lifecycle.ts drains
// the server first and watches that the install takes over). Releases come from the
// GitHub releases the release workflow publishes (electron-builder.yml `publish`).

import electronUpdater from 'electron-updater';
import type { Updater } from '../controller/updates.js';

/**
 * `onError`: electron-updater's errors, a failed install among them (pkexec cancelled).
 * `installs`: false where this copy cannot install (controller/mac-signature.ts): it only looks.
 */
export function electronAppUpdater(onError: (error: unknown) => void, installs: boolean): Updater {
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = installs;
  // The lifecycle installs on quit itself, after the server has drained.
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.on('error', (error) => onError(error));
  return {
    canInstall: installs,
    async checkAndDownload() {
      const result = await autoUpdater.checkForUpdates();
      if (result === null || !result.isUpdateAvailable) return null;
      if (installs) await result.downloadPromise;
      return result.updateInfo.version;
    },
    installNow(restart) {
      // Silent: the learner already said yes; NSIS shows no wizard.
      autoUpdater.quitAndInstall(true, restart);
    },
  };
}
