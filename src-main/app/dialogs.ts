// The native dialogs the app needs: a folder picker and a one-time notice.

import { dialog, Notification, type BrowserWindow } from 'electron';

export async function pickFolder(parent: BrowserWindow | null, current: string): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose where Anki Home Sync keeps the collections',
    defaultPath: current,
    properties: ['openDirectory', 'createDirectory'],
  };
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled || result.filePaths.length === 0 ? null : (result.filePaths[0] ?? null);
}

/** Said once: closing the window does not stop the server. */
export function showTrayNotice(): void {
  const body = 'Anki Home Sync is still running in the tray, so your devices can keep syncing. Use Quit in its menu to stop it.';
  if (Notification.isSupported()) new Notification({ title: 'Still syncing in the background', body }).show();
}
