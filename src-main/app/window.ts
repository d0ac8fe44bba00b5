// The one window. Closing or minimising hides it to the tray; only Quit ends the
// app, so the server keeps serving devices.

import { BrowserWindow, nativeTheme, screen, shell } from 'electron';
import { assetPath, PRELOAD_FILE } from './paths.js';
import { WINDOW_URL } from './renderer-protocol.js';
import { isAppUrl } from '../shared/app-origin.js';

export interface WindowHooks {
  /** Whether Quit was chosen: then close really closes. */
  isQuitting(): boolean;
  /** Called the first time the window hides to the tray. */
  onHiddenToTray(): void;
}

export function createMainWindow(hooks: WindowHooks, show: boolean): BrowserWindow {
  // The window follows the system's light or dark theme, as its page does (prefers-color-scheme).
  nativeTheme.themeSource = 'system';
  // It fits the screen it opens on, down to 800×600 (the page is laid out for that).
  const { width, height } = screen.getPrimaryDisplay().workAreaSize;
  const win = new BrowserWindow({
    width: Math.min(920, width),
    height: Math.min(720, height),
    minWidth: 560,
    minHeight: 420,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#111418' : '#f4f5f7',
    show,
    title: 'Anki Home Sync',
    icon: assetPath('icon.png'),
    autoHideMenuBar: true,
    webPreferences: {
      preload: PRELOAD_FILE,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });

  const hide = (event: { preventDefault(): void }) => {
    if (hooks.isQuitting()) return;
    event.preventDefault();
    win.hide();
    hooks.onHiddenToTray();
  };
  win.on('close', hide);
  // 'minimize' cannot be prevented on every platform; hiding right after has the same effect.
  win.on('minimize', () => {
    win.hide();
    hooks.onHiddenToTray();
  });

  // The window needs no camera, notifications or any other permission.
  win.webContents.session.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
  // The window never navigates away or opens other windows; links go to the browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });

  void win.loadURL(WINDOW_URL);
  return win;
}

export function showWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
