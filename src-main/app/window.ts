// The one window. Closing hides it (the server keeps serving devices; only Quit
// ends the app); minimising hides it too where controller/app-menu.ts says so.
// It is shown once its page has painted (ready-to-show), never as a blank frame.

import { BrowserWindow, nativeTheme, screen, shell } from 'electron';
import { assetPath, PRELOAD_FILE } from './paths.js';
import { WINDOW_URL } from './renderer-protocol.js';
import { isAppUrl } from '../shared/app-origin.js';
import type { PreventableEvent } from '../controller/lifecycle.js';

export interface WindowHooks {
  /** Whether the app is quitting: then close really closes. */
  isQuitting(): boolean;
  /** Called each time the window hides instead of closing. */
  onHidden(): void;
  /** Windows asks whether the session may end (logout, shutdown). */
  onQuerySessionEnd(event: PreventableEvent): void;
  /** Windows ends the session. */
  onSessionEnd(): void;
}

export interface WindowOptions {
  /** Shown at start (else it waits in the tray). */
  readonly show: boolean;
  readonly minimizeHides: boolean;
  readonly menuBarAlwaysVisible: boolean;
}

export function createMainWindow(hooks: WindowHooks, options: WindowOptions): BrowserWindow {
  // The window follows the system's light or dark theme, as its page does (prefers-color-scheme).
  nativeTheme.themeSource = 'system';
  // It fits the screen it opens on, down to 800×600 (the page is laid out for that).
  const { width, height } = screen.getPrimaryDisplay().workAreaSize;
  const win = new BrowserWindow({
    width: Math.min(920, width),
    height: Math.min(720, height),
    minWidth: 560,
    minHeight: 420,
    // The first frame in the theme's colour; the window is shown once its page has painted.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#111418' : '#f4f5f7',
    show: false,
    title: 'Anki Home Sync',
    icon: assetPath('icon.png'),
    autoHideMenuBar: !options.menuBarAlwaysVisible,
    webPreferences: {
      preload: PRELOAD_FILE,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  if (options.show) win.once('ready-to-show', () => win.show());

  win.on('close', (event) => {
    if (hooks.isQuitting()) return;
    event.preventDefault();
    win.hide();
    hooks.onHidden();
  });
  if (options.minimizeHides) {
    // 'minimize' cannot be prevented on every platform; hiding right after has the same effect.
    win.on('minimize', () => {
      win.hide();
      hooks.onHidden();
    });
  }
  win.on('query-session-end', (event) => hooks.onQuerySessionEnd(event));
  win.on('session-end', () => hooks.onSessionEnd());

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
