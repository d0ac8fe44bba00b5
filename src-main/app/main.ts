// The Electron entry point: wires the controller to the tray, the window, IPC and
// the login item. No decisions live here; they are in src-main/controller.

import { app, clipboard, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { AppController } from '../controller/app-controller.js';
import { createAppCommands } from '../controller/app-commands.js';
import { syncServerStarter } from '../controller/running-server.js';
import { userPaths } from '../server/index.js';
import { pickFolder, showTrayNotice } from './dialogs.js';
import { pushState, serveCommands } from './ipc.js';
import { openLogFile } from './log-file.js';
import { setStartAtLogin, startedAtLogin } from './login-item.js';
import { registerAppScheme, serveRenderer } from './renderer-protocol.js';
import { openAppSettings } from './settings-store.js';
import { claimSingleInstance } from './single-instance.js';
import { AppTray } from './tray.js';
import { createMainWindow, showWindow } from './window.js';
import { githubUpdater } from './updater.js';
import { exposeProbe } from './probe.js';

let win: BrowserWindow | null = null;
let quitting = false;

// A separate profile (settings, collections, log) for a portable copy and for the smoke tests.
const profile = app.commandLine.getSwitchValue('user-data-dir');
if (profile !== '') app.setPath('userData', profile);
registerAppScheme();
if (!claimSingleInstance(() => win && showWindow(win))) {
  app.quit();
} else {
  app
    .whenReady()
    .then(run)
    .catch((error: unknown) => {
      console.error('[anki-home-sync] start-up failed', error);
      app.exit(1);
    });
}

async function run(): Promise<void> {
  serveRenderer();
  const logFile = openLogFile();
  const log = logFile.note;
  const controller: AppController = new AppController({
    settings: openAppSettings(),
    defaultStorageFolder: join(app.getPath('userData'), 'collections'),
    startServer: syncServerStarter(logFile.server),
    userPaths,
    log,
    // An unpackaged app (npm start) has no release to update to.
    ...(app.isPackaged
      ? {
          updater: githubUpdater(() => {
            quitting = true;
            return controller.shutdown();
          }, log),
        }
      : {}),
  });
  const commands = createAppCommands(controller, {
    pickFolder: (current) => pickFolder(win, current),
    copyText: (text) => clipboard.writeText(text),
    setStartAtLogin: (on) => void setStartAtLogin(on).catch((error) => log('start at login', error)),
  });
  serveCommands(commands, log);

  const firstAddress = () => (controller.serverStatus.state === 'running' ? (controller.addresses()[0]?.url ?? null) : null);
  const tray = new AppTray({
    toggleServer: () => void (controller.serverStatus.state === 'running' ? controller.stop() : controller.start()).catch(() => undefined),
    copyAddress: () => {
      const address = firstAddress();
      if (address) clipboard.writeText(address);
    },
    openWindow: () => win && showWindow(win),
    setStartAtLogin: (on) => void commands.setStartAtLogin(on).catch((error) => log('start at login', error)),
    installUpdate: () => {
      try {
        controller.installUpdate();
      } catch (error) {
        if (win) showWindow(win); // the window says why (a sync in progress)
        log('install update', error);
      }
    },
    quit: () => app.quit(),
  });
  exposeProbe({ trayMenu: () => tray.menuLabels(), serverStatus: () => controller.serverStatus });

  // Changes come in bursts (starting, running); one refresh at a time, the last one wins.
  let refreshing = false;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        const state = await controller.state();
        tray.update({
          status: state.server,
          address: firstAddress(),
          startAtLogin: state.settings.startAtLogin,
          syncing: state.syncs,
          update: state.update,
          storage: state.storage,
        });
        pushState(win, state);
      } while (again);
    } catch (error) {
      log('refresh failed', error);
    } finally {
      refreshing = false;
    }
  };
  controller.onChange(() => void refresh());

  const settings = controller.settings();
  const hasAccounts = settings.users.length > 0;
  // First launch shows the window; later ones may start in the tray.
  const showAtStart = !hasAccounts || !(settings.startInTray || startedAtLogin());
  win = createMainWindow(
    {
      isQuitting: () => quitting,
      onHiddenToTray: () => {
        if (controller.takeTrayNotice()) showTrayNotice();
      },
    },
    showAtStart,
  );
  await refresh();
  if (hasAccounts) await controller.start().catch(() => undefined); // the error shows in the window and tray
  controller.updates.start();

  app.on('activate', () => win && showWindow(win));
  // The tray keeps the app alive with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    // Let syncs in progress finish before the process ends.
    void controller.shutdown().finally(() => {
      controller.updates.stop();
      // A downloaded version installs now that no sync can be cut short.
      if (controller.updates.installOnQuit()) return;
      tray.destroy();
      app.exit(0);
    });
  });
}
