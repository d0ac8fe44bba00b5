// The window's only door to the main process, exposed as `window.homeSync`.
// Sandboxed preloads run as CommonJS and cannot load our other modules, so this
// file is self-contained (hence .cts) and takes only types from shared/ipc.ts:
// a renamed channel or a new command fails to compile here rather than at run time.

import { contextBridge, ipcRenderer } from 'electron';
import type { AppApi, AppState, CommandChannel, CommandName, StateChangedChannel } from './shared/ipc.js';

const STATE_CHANGED: StateChangedChannel = 'home-sync:state-changed';

// Every command, listed as a Record so a missing or extra name is a compile error.
const COMMANDS: Record<CommandName, true> = {
  getState: true,
  startServer: true,
  stopServer: true,
  addUser: true,
  removeUser: true,
  renameUser: true,
  changePassword: true,
  setPort: true,
  setBindAddress: true,
  chooseStorageFolder: true,
  setStartAtLogin: true,
  setStartInTray: true,
  copyText: true,
  qrCode: true,
  makeHomeCertificate: true,
  openRootCertificate: true,
  showAppleProfile: true,
  takeSnapshot: true,
  chooseSnapshotFolder: true,
  clearSnapshotFolder: true,
  restoreSnapshot: true,
  exportCollection: true,
  setCheckForUpdates: true,
  installUpdate: true,
  chooseTlsFile: true,
  clearTls: true,
};

function channel(name: CommandName): CommandChannel {
  return `home-sync:${name}`;
}

const commands = Object.fromEntries(
  (Object.keys(COMMANDS) as CommandName[]).map((name) => [name, (...args: unknown[]) => ipcRenderer.invoke(channel(name), ...args)]),
);

const api = {
  ...commands,
  onStateChanged(listener: (state: AppState) => void): () => void {
    const handler = (_event: unknown, state: AppState) => listener(state);
    ipcRenderer.on(STATE_CHANGED, handler);
    return () => {
      ipcRenderer.off(STATE_CHANGED, handler);
    };
  },
} as AppApi;

contextBridge.exposeInMainWorld('homeSync', api);
