// The app's settings file: electron-store in the user-data folder, behind the
// same SettingsStore the controller's tests use with plain `conf`.

import { app } from 'electron';
import ElectronStore from 'electron-store';
import { openRecovering, SETTINGS_FILE_NAME, settingsFromConf } from '../settings/conf-store.js';
import type { SettingsStore } from '../settings/settings.js';

export function openAppSettings(): SettingsStore {
  const folder = app.getPath('userData');
  const store = openRecovering(folder, () => new ElectronStore<Record<string, unknown>>({ name: SETTINGS_FILE_NAME }));
  return settingsFromConf(store);
}
