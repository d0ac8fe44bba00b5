// A controller as the app builds it, but on a temporary settings file and
// storage folder, serving only 127.0.0.1, with the real SyncServer.

import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppController } from '../../src-main/controller/app-controller.js';
import { syncServerStarter } from '../../src-main/controller/running-server.js';
import { silentLogger } from '../../src-main/server/report/log.js';
import type { ServerConfig } from '../../src-main/server/config/config.js';
import { userPaths } from '../../src-main/server/storage/user-paths.js';
import { createConfSettings } from '../../src-main/settings/conf-store.js';
import type { SettingsStore } from '../../src-main/settings/settings.js';
import { freePort } from './ports.js';
import { makeTempFolder } from './temp-folder.js';
import { copyRealAnkiFixture } from './real-anki-fixtures.js';
import { V11Client } from './v11-client.js';
import type { Updater } from '../../src-main/controller/updates.js';
import type { InterfaceTable } from '../../src-main/server/reach/client-addresses.js';

export interface TestApp {
  readonly controller: AppController;
  readonly settings: SettingsStore;
  readonly folder: string;
  readonly storage: string;
  /** The address a device would use right now. */
  base(): string;
  /** A second controller on the same settings file, as after a relaunch. */
  relaunch(): TestApp;
}

export interface TestAppOptions {
  /** A stand-in for electron-updater (controller/updates.ts's Updater). */
  readonly updater?: Updater;
  /** Where the app's folder (settings and storage) is made; the OS temp folder by default. */
  readonly parent?: string;
  /** This computer's network interfaces as the controller sees them; none but loopback by default. */
  readonly networkInterfaces?: () => InterfaceTable;
  /** The `.local` name the controller shows (controller/stable-name.ts); none by default. */
  readonly stableName?: () => string | null;
  /** This computer's MagicDNS name, as the controller asks Tailscale for it; by default a real `tailscale` on PATH. */
  readonly tailscaleName?: () => Promise<string | null>;
  /** The controller's log lines. */
  readonly log?: (message: string, error?: unknown) => void;
  /** Changes the config the controller starts its server with (a setting the app has no field for). */
  readonly serverConfig?: (config: ServerConfig) => ServerConfig;
}

function build(folder: string, options: TestAppOptions = {}): TestApp {
  const settings = createConfSettings(join(folder, 'settings'));
  const storage = join(folder, 'collections');
  const controller = new AppController({
    settings,
    defaultStorageFolder: storage,
    startServer: options.serverConfig
      ? (config, events) => syncServerStarter(silentLogger)(options.serverConfig!(config), events)
      : syncServerStarter(silentLogger),
    userPaths,
    ankiDataFolders: [join(folder, 'Anki2')],
    networkInterfaces: options.networkInterfaces ?? (() => ({})),
    homeCertificateFolder: join(folder, 'home-certificate'),
    stableName: options.stableName ?? (() => null),
    ...(options.log ? { log: options.log } : {}),
    ...(options.updater ? { updater: options.updater } : {}),
    ...(options.tailscaleName ? { tailscaleName: options.tailscaleName } : {}),
  });
  return {
    controller,
    settings,
    folder,
    storage,
    base: () =>
      `${settings.read().tlsCertFile !== '' && settings.read().tlsKeyFile !== '' ? 'https' : 'http'}://127.0.0.1:${controller.currentPort()}/`,
    relaunch: () => build(folder, options),
  };
}

export async function createTestApp(t: { after(fn: () => Promise<void> | void): void }, options: TestAppOptions = {}): Promise<TestApp> {
  const folder = makeTempFolder('ahs-app-', options.parent);
  const app = build(folder, options);
  app.settings.update({ bindAddress: 'this-computer-only', port: await freePort() });
  t.after(async () => {
    app.controller.updates.stop();
    await app.controller.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });
  return app;
}

/** The app with one account, alice, whose device has fully uploaded the 16-note fixture a real Anki wrote. */
export async function appWithAlice16Notes(t: {
  after(fn: () => Promise<void> | void): void;
}): Promise<{ app: TestApp; device: V11Client }> {
  const app = await createTestApp(t);
  await app.controller.addUser('alice', 'pw');
  const device = new V11Client(app.base());
  await device.login('alice', 'pw');
  const studied = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  t.after(() => rmSync(dirname(studied), { recursive: true, force: true }));
  const answer = await device.fullUpload(studied);
  if (answer !== 'OK') throw new Error(`the first upload was refused: ${answer}`);
  return { app, device };
}
