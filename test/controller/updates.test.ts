// When the app looks for a new version and when it installs one: at start and
// once a day, never while a device syncs, and not at all when the learner turned
// checking off. The updater is an in-process stand-in for electron-updater
// (which needs Electron and GitHub); the rules and the controller are real, and
// the sync in progress is a real one against the real server.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_EVERY_MS, RELEASES_URL, UpdateChecks, type Updater } from '../../src-main/controller/updates.js';
import { AppError } from '../../src-main/controller/errors.js';
import { AppController } from '../../src-main/controller/app-controller.js';
import { syncServerStarter } from '../../src-main/controller/running-server.js';
import { silentLogger } from '../../src-main/server/report/log.js';
import { userPaths } from '../../src-main/server/storage/user-paths.js';
import { createConfSettings } from '../../src-main/settings/conf-store.js';
import { V11Client } from '../support/v11-client.js';
import { LegacyClient } from '../support/legacy-client.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { freePort } from '../support/ports.js';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

class StandInUpdater implements Updater {
  checks = 0;
  installs: boolean[] = [];
  constructor(public available: string | null) {}
  async checkAndDownload(): Promise<string | null> {
    this.checks++;
    return this.available;
  }
  installNow(restart: boolean): void {
    this.installs.push(restart);
  }
}

function rules(updater: Updater, over: { enabled?: () => boolean; syncing?: () => string[]; log?: (message: string) => void } = {}) {
  let changes = 0;
  const checks = new UpdateChecks({
    updater,
    enabled: over.enabled ?? (() => true),
    syncing: over.syncing ?? (() => []),
    changed: () => changes++,
    log: over.log,
  });
  return { checks, changes: () => changes };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('checks at start and then once a day, and stops once a version is ready', async (t: TestContext) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const updater = new StandInUpdater(null);
  const { checks } = rules(updater);
  t.after(() => checks.stop());
  checks.start();
  await settle();
  assert.equal(updater.checks, 1, 'at start');
  assert.deepEqual(checks.status, { state: 'idle' });
  t.mock.timers.tick(CHECK_EVERY_MS - 1);
  await settle();
  assert.equal(updater.checks, 1, 'not before a day has passed');
  t.mock.timers.tick(1);
  await settle();
  assert.equal(updater.checks, 2, 'a day later');
  updater.available = '0.2.0';
  t.mock.timers.tick(CHECK_EVERY_MS);
  await settle();
  assert.deepEqual(checks.status, { state: 'ready', version: '0.2.0' });
  t.mock.timers.tick(CHECK_EVERY_MS);
  await settle();
  assert.equal(updater.checks, 3, 'a version already downloaded is not looked for again');
});

test('with checking off, nothing is checked; turning it on checks at once', async (t: TestContext) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let on = false;
  const updater = new StandInUpdater('0.2.0');
  const { checks } = rules(updater, { enabled: () => on });
  t.after(() => checks.stop());
  checks.start();
  t.mock.timers.tick(3 * CHECK_EVERY_MS);
  await settle();
  assert.equal(updater.checks, 0);
  assert.deepEqual(checks.status, { state: 'off' });
  on = true;
  checks.settingChanged();
  await settle();
  assert.equal(updater.checks, 1);
  assert.deepEqual(checks.status, { state: 'ready', version: '0.2.0' });
});

test('a failed check is logged and tried again at the next turn', async (t: TestContext) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let fail = true;
  const logged: string[] = [];
  const updater: Updater = {
    checkAndDownload: async () => {
      if (fail) throw new Error('offline');
      return '0.3.0';
    },
    installNow: () => undefined,
  };
  const checks = new UpdateChecks({
    updater,
    enabled: () => true,
    syncing: () => [],
    changed: () => undefined,
    log: (m) => logged.push(m),
  });
  t.after(() => checks.stop());
  checks.start();
  await settle();
  assert.deepEqual(checks.status, { state: 'idle' });
  assert.deepEqual(logged, ['update check failed']);
  fail = false;
  t.mock.timers.tick(CHECK_EVERY_MS);
  await settle();
  assert.deepEqual(checks.status, { state: 'ready', version: '0.3.0' });
});

test('a copy that cannot install (an unsigned Mac build) offers the new version as a download and never installs it', async (t: TestContext) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const logged: string[] = [];
  const updater = Object.assign(new StandInUpdater('0.2.0'), { canInstall: false });
  const { checks } = rules(updater, { log: (m) => logged.push(m) });
  t.after(() => checks.stop());
  checks.start();
  await settle();
  assert.deepEqual(checks.status, { state: 'available', version: '0.2.0', url: RELEASES_URL });
  // Not the line the release workflow's update proof waits for: nothing was downloaded.
  assert.deepEqual(logged, ['version 0.2.0 is available; this copy cannot install it by itself']);
  assert.throws(
    () => checks.installNow(),
    (e: unknown) => e instanceof AppError && e.code === 'no-update',
  );
  assert.equal(checks.installOnQuit(), false, 'quit stays a plain quit');
  assert.deepEqual(updater.installs, []);
  // It keeps looking, so a later version replaces the one offered.
  updater.available = '0.3.0';
  t.mock.timers.tick(CHECK_EVERY_MS);
  await settle();
  assert.deepEqual(checks.status, { state: 'available', version: '0.3.0', url: RELEASES_URL });
  assert.equal(updater.checks, 2);
});

test('the download link is the releases page of the repository electron-builder.yml publishes to', () => {
  const yml = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  const owner = /^publish:\n(?: {2}.*\n)*? {2}owner: (\S+)$/m.exec(yml)?.[1];
  const repo = /^publish:\n(?: {2}.*\n)*? {2}repo: (\S+)$/m.exec(yml)?.[1];
  assert.ok(owner !== undefined && repo !== undefined, 'publish names an owner and a repo');
  assert.equal(RELEASES_URL, `https://github.com/${owner}/${repo}/releases/latest`);
});

test('installing is refused while a device syncs, and needs a downloaded version', async () => {
  let syncing = ['alice'];
  const updater = new StandInUpdater('0.2.0');
  const { checks } = rules(updater, { syncing: () => syncing });
  assert.throws(
    () => checks.installNow(),
    (e: unknown) => e instanceof AppError && e.code === 'no-update',
  );
  await checks.checkNow();
  assert.throws(
    () => checks.installNow(),
    (e: unknown) => e instanceof AppError && e.code === 'sync-in-progress' && /alice is syncing right now/.test(e.message),
  );
  assert.deepEqual(updater.installs, []);
  syncing = [];
  checks.installNow();
  assert.deepEqual(updater.installs, [true], 'installs and restarts');
});

test('on quit a downloaded version installs without restarting; with none, quit is plain', async () => {
  const none = rules(new StandInUpdater(null));
  await none.checks.checkNow();
  assert.equal(none.checks.installOnQuit(), false);
  const updater = new StandInUpdater('0.2.0');
  const ready = rules(updater).checks;
  await ready.checkNow();
  assert.equal(ready.installOnQuit(), true);
  assert.deepEqual(updater.installs, [false]);
});

test('the controller: a normal sync in progress on the real server holds the update back until it finishes', async (t) => {
  const folder = makeTempFolder('ahs-updates-');
  const settings = createConfSettings(join(folder, 'settings'));
  settings.update({ bindAddress: 'this-computer-only', port: await freePort() });
  const updater = new StandInUpdater('0.2.0');
  const controller = new AppController({
    settings,
    defaultStorageFolder: join(folder, 'collections'),
    startServer: syncServerStarter(silentLogger),
    userPaths,
    ankiDataFolders: [],
    networkInterfaces: () => ({}),
    updater,
  });
  t.after(async () => {
    controller.updates.stop();
    await controller.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });
  await controller.addUser('alice', 'pw-alice');
  await controller.updates.checkNow();
  assert.deepEqual((await controller.state()).update, { state: 'ready', version: '0.2.0' });

  const device = new V11Client(`http://127.0.0.1:${controller.currentPort()}/`);
  await device.login('alice', 'pw-alice');
  await device.meta();
  await device.json('sync', 'start', { minUsn: 0, lnewer: false, graves: null });
  assert.deepEqual(controller.syncingUsers(), ['alice']);
  assert.equal((await controller.state()).syncs[0]?.step, 'start');
  assert.throws(
    () => controller.installUpdate(),
    (e: unknown) => e instanceof AppError && e.code === 'sync-in-progress',
  );
  assert.deepEqual(updater.installs, []);

  await device.abort();
  assert.deepEqual(controller.syncingUsers(), []);
  controller.installUpdate();
  assert.deepEqual(updater.installs, [true]);

  // Turning checking off is remembered and stops the checks; the ready version stays ready.
  await controller.setCheckForUpdates(false);
  assert.equal(settings.read().checkForUpdates, false);
  assert.equal((await controller.state()).settings.checkForUpdates, false);
});

test('a downloaded update is told inside Anki to each device that syncs before the restart, once; the new version says nothing', async (t) => {
  const folder = makeTempFolder('ahs-update-told-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const settings = createConfSettings(join(folder, 'settings'));
  settings.update({ bindAddress: 'this-computer-only', port: await freePort() });
  const app = (updater: StandInUpdater) =>
    new AppController({
      settings,
      defaultStorageFolder: join(folder, 'collections'),
      startServer: syncServerStarter(silentLogger),
      userPaths,
      ankiDataFolders: [],
      networkInterfaces: () => ({}),
      updater,
    });
  const before = app(new StandInUpdater('0.2.0'));
  t.after(() => before.shutdown());
  await before.addUser('alice', 'pw-alice');
  const url = `http://127.0.0.1:${before.currentPort()}/`;
  const desktop = new V11Client(url);
  const hostKey = await desktop.login('alice', 'pw-alice');
  const legacy = new LegacyClient(url, { hostKey, syncVersion: 10 });
  const legacyMsg = async () => String(((await legacy.meta()) as { msg: unknown }).msg);
  assert.equal((await desktop.meta()).msg, '', 'nothing while no update waits');

  await before.updates.checkNow();
  assert.match((await desktop.meta()).msg, /has an update ready and will restart to install it/);
  assert.equal((await desktop.meta()).msg, '', 'once per device');
  assert.match(await legacyMsg(), /will restart to install it/, 'a legacy client too');
  assert.equal(await legacyMsg(), '');

  // The server restarts for another reason (a setting) while the update still waits: devices already told stay told; others hear it.
  await before.stop();
  await before.start();
  assert.equal((await desktop.meta()).msg, '');
  const phone = new V11Client(url, { hostKey });
  assert.match((await phone.json<{ msg: string }>('sync', 'meta', { v: 11, cv: 'anki,2.20.1 (abcdef),android' })).msg, /will restart/);

  assert.equal((await before.state()).told.length, 3, 'the window lists the three devices told');
  // "Restart and install" drains the server.
  await before.shutdown('update');

  // The new version runs: nothing waits, and nothing is said.
  // A new process: the app's starter (and what it remembers) is new too.
  const after = app(new StandInUpdater(null));
  t.after(async () => {
    after.updates.stop();
    await after.shutdown();
  });
  await after.start();
  await after.updates.checkNow();
  assert.equal((await desktop.meta()).msg, '');
  assert.equal(await legacyMsg(), '');
});
