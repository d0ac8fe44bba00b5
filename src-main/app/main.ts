// The Electron entry point: builds the app's parts and forwards Electron's
// events to the lifecycle (controller/lifecycle.ts: start-up order, quitting,
// draining, installing, the session ending) and to the controller. Every
// decision is in src-main/controller/, tested in plain Node; nothing here
// decides anything.

import { app, clipboard, powerMonitor, shell, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { AppController } from '../controller/app-controller.js';
import { createAppCommands } from '../controller/app-commands.js';
import { appMenuModel, menuBarAlwaysVisible, minimizeHidesWindow } from '../controller/app-menu.js';
import { refusedDebugging, secondLaunchData } from '../controller/launch-switches.js';
import { AppLifecycle, showWindowAtStart, type PreventableEvent } from '../controller/lifecycle.js';
import { APP_USER_MODEL_ID } from '../controller/login-item.js';
import { NO_TRAY_NOTICE, TRAY_NOTICE } from '../controller/notices.js';
import type { DesktopPlatform } from '../controller/platform.js';
import { syncServerStarter } from '../controller/running-server.js';
import { statusNotifierWatcherPresent } from '../controller/status-notifier.js';
import { firstAddress, trayView } from '../controller/tray-menu.js';
import { userPaths } from '../server/index.js';
import { pickFile, pickFolder, pickSaveFile, showNoticeBox, showTrayNotice } from './dialogs.js';
import { pushState, serveCommands } from './ipc.js';
import { openLogFile } from './log-file.js';
import { launchedAtLogin, setStartAtLogin } from './login-item.js';
import { installAppMenu } from './menu.js';
import { exposeProbe } from './probe.js';
import { registerAppScheme, serveRenderer } from './renderer-protocol.js';
import { openAppSettings } from './settings-store.js';
import { AppTray } from './tray.js';
import { electronAppUpdater } from './updater.js';
import { updatesInstall } from '../controller/mac-signature.js';
import { createMainWindow, showWindow } from './window.js';

// A separate profile (settings, collections, log) for a portable copy and for the smoke tests.
const profile = app.commandLine.getSwitchValue('user-data-dir');
if (profile !== '') app.setPath('userData', profile);

const refusal = refusedDebugging(process.argv, app.isPackaged, (name) => app.commandLine.hasSwitch(name));
if (refusal !== null) {
  process.stderr.write(`${refusal}\n`);
  app.exit(2);
} else if (!app.requestSingleInstanceLock(secondLaunchData(process.argv))) {
  // The running app shows its window, or quits (--quit); this one has nothing to do.
  app.quit();
} else if (secondLaunchData(process.argv).command === 'quit') {
  // --quit with nothing running: nothing to quit, and nothing to start.
  app.exit(0);
} else {
  main();
}

function main(): void {
  registerAppScheme();
  // Windows shows the app's notifications only under the id its installer's shortcut carries.
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  let log = (message: string, error?: unknown): void => console.error(`[anki-home-sync] ${message}`, error ?? '');
  let win: BrowserWindow | null = null;

  const lifecycle: AppLifecycle = new AppLifecycle({
    app,
    platform: process.platform,
    log: (message, error) => log(message, error),
    boot: async () => {
      serveRenderer();
      installAppMenu(appMenuModel(process.platform, app.name), () => lifecycle.quit());
      const logFile = openLogFile();
      log = logFile.note;
      // The release workflow's update proof reads this line.
      log(`Anki Home Sync ${app.getVersion()} started`);
      // Electron passes an event (its documentation: preventDefault() delays the shutdown), which its typings leave out.
      powerMonitor.on('shutdown', ((event: PreventableEvent | undefined) => lifecycle.systemShutdown(event)) as () => void);

      const controller = new AppController({
        settings: openAppSettings(),
        defaultStorageFolder: join(app.getPath('userData'), 'collections'),
        homeCertificateFolder: join(app.getPath('userData'), 'home-certificate'),
        startServer: syncServerStarter(logFile.server),
        userPaths,
        log,
        // An unpackaged app (npm start) has no release to update to.
        ...(app.isPackaged
          ? {
              updater: lifecycle.guardUpdater(
                electronAppUpdater((error) => lifecycle.updateError(error), await updatesInstall(process.platform, process.execPath)),
              ),
            }
          : {}),
      });
      const platform: DesktopPlatform = {
        pickFolder: (current) => pickFolder(win, current),
        pickFile: (title, current) => pickFile(win, title, current),
        pickSaveFile: (title, suggestedName) => pickSaveFile(win, title, join(app.getPath('downloads'), suggestedName)),
        copyText: (text) => clipboard.writeText(text),
        openFile: (path) => void shell.openPath(path).then((problem) => problem !== '' && log(`opening ${path}: ${problem}`)),
        showFile: (path) => shell.showItemInFolder(path),
        setStartAtLogin: (on) => void setStartAtLogin(on).catch((error) => log('start at login', error)),
      };
      const commands = createAppCommands(controller, platform);
      serveCommands(commands, log);

      const trayShown = process.platform !== 'linux' || (await statusNotifierWatcherPresent());
      const copyableAddress = () => firstAddress({ server: controller.serverStatus, addresses: controller.addresses() });
      const tray = new AppTray({
        toggleServer: () =>
          void (controller.serverStatus.state === 'running' ? controller.stop() : controller.start()).catch(() => undefined),
        copyAddress: () => {
          const address = copyableAddress();
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
        quit: () => lifecycle.quit(),
      });
      exposeProbe({ trayMenu: () => tray.menuLabels(), serverStatus: () => controller.serverStatus });

      // Every new state goes to the tray and the window (the loop is the live view's, controller/live-view.ts).
      const view = controller.view.follow((state) => {
        tray.update(trayView(state));
        pushState(win, state);
      });

      const settings = controller.settings();
      win = createMainWindow(
        {
          isQuitting: () => lifecycle.quitting,
          onHidden: () => {
            if (trayShown && controller.takeTrayNotice()) showTrayNotice(TRAY_NOTICE);
          },
          onQuerySessionEnd: (event) => lifecycle.sessionEndQuery(event),
          onSessionEnd: () => lifecycle.sessionEnd(),
        },
        {
          show: showWindowAtStart(settings, launchedAtLogin()),
          minimizeHides: minimizeHidesWindow(process.platform),
          menuBarAlwaysVisible: menuBarAlwaysVisible(process.platform),
        },
      );
      await view.refresh();
      if (!trayShown && controller.takeNoTrayNotice()) showNoticeBox(win, NO_TRAY_NOTICE);

      return {
        controller,
        showWindow: () => win && showWindow(win),
        destroyTray: () => tray.destroy(),
        refreshStartAtLogin: () => setStartAtLogin(controller.settings().startAtLogin),
      };
    },
  });
  void lifecycle.start();
}
