// The native dialogs the app needs: a folder picker, a file picker for the HTTPS
// certificate and key, the save dialog of "Download my collection", and the one-time notices.

import { dialog, Notification, type BrowserWindow } from 'electron';
import type { Notice } from '../controller/notices.js';

export async function pickFolder(parent: BrowserWindow | null, current: string): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose where Anki Home Sync keeps the collections',
    defaultPath: current,
    properties: ['openDirectory', 'createDirectory'],
  };
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled || result.filePaths.length === 0 ? null : (result.filePaths[0] ?? null);
}

/** A PEM file: the certificate (chain) or its key, as `tailscale cert` and ACME tools write them. */
export async function pickFile(parent: BrowserWindow | null, title: string, current: string): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title,
    ...(current === '' ? {} : { defaultPath: current }),
    properties: ['openFile', 'showHiddenFiles'],
    filters: [
      { name: 'Certificates and keys (PEM)', extensions: ['pem', 'crt', 'cer', 'key'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled || result.filePaths.length === 0 ? null : (result.filePaths[0] ?? null);
}

/** Where "Download my collection" writes its collection package. */
export async function pickSaveFile(parent: BrowserWindow | null, title: string, defaultPath: string): Promise<string | null> {
  const options: Electron.SaveDialogOptions = {
    title,
    defaultPath,
    filters: [{ name: 'Anki collection package', extensions: ['colpkg'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  return result.canceled || result.filePath === undefined || result.filePath === '' ? null : result.filePath;
}

/** Said once: closing the window does not stop the server. */
export function showTrayNotice(notice: Notice): void {
  if (Notification.isSupported()) new Notification({ title: notice.title, body: notice.body }).show();
}

/** Said once, beside the window: a message box, since a desktop without a tray may show no notifications either. */
export function showNoticeBox(parent: BrowserWindow | null, notice: Notice): void {
  const options: Electron.MessageBoxOptions = {
    type: 'info',
    title: notice.title,
    message: notice.title,
    detail: notice.body,
    buttons: ['OK'],
  };
  void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
}
