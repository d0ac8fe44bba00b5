// Serves the shared command contract to the window over ipcMain, one channel per
// command, and pushes state changes back. Only our own page may call.

import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { COMMAND_NAMES, commandChannel, STATE_CHANGED_CHANNEL, type AppCommands, type AppState } from '../shared/ipc.js';
import { invokeCommand } from '../controller/app-commands.js';
import { isAppUrl } from '../shared/app-origin.js';

function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url);
}

export function serveCommands(commands: AppCommands, log: (message: string, error?: unknown) => void): void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), (event, ...args: unknown[]) => {
      if (!fromOurWindow(event)) return { ok: false, error: { code: 'forbidden', message: 'Not allowed.' } };
      return invokeCommand(commands, name, args, log);
    });
  }
}

export function pushState(win: BrowserWindow | null, state: AppState): void {
  if (win && !win.isDestroyed()) win.webContents.send(STATE_CHANGED_CHANNEL, state);
}
