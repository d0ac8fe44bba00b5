// The app's life from launch to exit (controller/lifecycle.ts), in plain Node:
// a small event source shaped like Electron's `app` (before-quit that a listener
// may prevent, second-instance, whenReady, quit, exit) drives the lifecycle, and
// behind it the real controller runs the real server on 127.0.0.1. What the test
// stands in for is Electron and electron-updater, never the lifecycle or the server.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  AppLifecycle,
  showWindowAtStart,
  type AppEventSource,
  type LifecycleController,
  type LifecycleOptions,
  type PreventableEvent,
  type RunningApp,
} from '../../src-main/controller/lifecycle.js';
import type { Updater } from '../../src-main/controller/updates.js';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture } from '../support/real-anki-fixtures.js';
import { V11Client } from '../support/v11-client.js';
import { createTestApp, type TestApp } from '../support/controller-harness.js';

/** Electron's `app` as the lifecycle meets it: quit() emits before-quit and, unless prevented, the app quits (exit 0). */
class FakeElectronApp extends EventEmitter implements AppEventSource {
  /** How the process ended: by our exit(code), or by Electron quitting on its own. */
  ended: { by: 'exit' | 'quit'; code: number } | null = null;
  exitCalls: number[] = [];
  quitCalls = 0;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  becomeReady(): void {
    this.markReady();
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  quit(): void {
    this.quitCalls++;
    if (this.ended !== null) return;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) } satisfies PreventableEvent);
    if (!prevented) this.ended = { by: 'quit', code: 0 };
  }
  exit(code = 0): void {
    this.exitCalls.push(code);
    this.ended ??= { by: 'exit', code };
  }
  /** A second launch, as Electron reports it to the first instance. */
  secondLaunch(argv: string[], additionalData?: unknown): void {
    this.emit('second-instance', {}, argv, '/', additionalData);
  }
  /** Resolves once the process has ended (and fails the test if it never does). */
  async ending(): Promise<{ by: 'exit' | 'quit'; code: number }> {
    await waitUntil(() => this.ended !== null, 'the app to end');
    return this.ended!;
  }
}

/** Polls `condition`; a test that waits for something that never happens fails instead of hanging. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function preventable(): PreventableEvent & { prevented: boolean } {
  const event = { prevented: false, preventDefault: () => (event.prevented = true) };
  return event;
}

class StandInUpdater implements Updater {
  installs: boolean[] = [];
  constructor(
    private readonly version: string | null,
    private readonly onInstall: (restart: boolean) => void = () => undefined,
  ) {}
  async checkAndDownload(): Promise<string | null> {
    return this.version;
  }
  installNow(restart: boolean): void {
    this.installs.push(restart);
    this.onInstall(restart);
  }
}

interface Launched {
  readonly app: FakeElectronApp;
  readonly lifecycle: AppLifecycle;
  readonly shown: { count: number };
  readonly trayDestroyed: { value: boolean };
  /** How often the start-at-login entry was written again. */
  readonly loginItemRefreshed: { count: number };
  readonly log: string[];
}

function launch(
  boot: () => Promise<LifecycleController>,
  options: Partial<Omit<LifecycleOptions, 'app' | 'boot' | 'log'>> = {},
  app = new FakeElectronApp(),
): Launched {
  const shown = { count: 0 };
  const trayDestroyed = { value: false };
  const loginItemRefreshed = { count: 0 };
  const log: string[] = [];
  const lifecycle = new AppLifecycle({
    app,
    platform: 'linux',
    log: (message) => log.push(message),
    boot: async (): Promise<RunningApp> => ({
      controller: await boot(),
      showWindow: () => shown.count++,
      destroyTray: () => (trayDestroyed.value = true),
      refreshStartAtLogin: async () => {
        loginItemRefreshed.count++;
      },
    }),
    ...options,
  });
  return { app, lifecycle, shown, trayDestroyed, loginItemRefreshed, log };
}

async function appWithAccount(t: TestContext, updater?: Updater): Promise<TestApp> {
  const app = await createTestApp(t, updater ? { updater } : {});
  await app.controller.addUser('alice', 'correct horse');
  await app.controller.stop(); // the lifecycle starts it
  return app;
}

async function answersHealth(base: string): Promise<boolean> {
  return fetch(new URL('health', base)).then(
    (response) => response.status === 200,
    () => false,
  );
}

/**
 * A real collection made large (one note's field holds 2 MB of text), so that an
 * upload's first half really leaves the client: zstd holds back small inputs.
 */
function largeCollection(t: TestContext): string {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  t.after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const db = openDatabase(path, { fileMustExist: true });
  try {
    db.prepare('UPDATE notes SET flds = flds || ? WHERE id = (SELECT min(id) FROM notes)').run(randomBytes(1 << 20).toString('hex'));
  } finally {
    db.close();
  }
  return path;
}

/** Starts a full upload of `collection` and sends its first `bytes`; `rest()` sends the remainder. */
async function uploadInTwo(
  base: string,
  collection: string,
  bytes: number,
): Promise<{ answer: Promise<string>; rest: () => void; endEarly: () => void }> {
  const device = new V11Client(base);
  await device.login('alice', 'correct horse');
  const body = new PassThrough();
  const answer = device.raw('sync', 'upload', { stream: () => body }).then((reply) => reply.toString('utf8'));
  const head = createReadStream(collection, { start: 0, end: bytes - 1 });
  head.pipe(body, { end: false });
  await new Promise<void>((resolve) => head.on('end', () => resolve()));
  return {
    answer,
    rest: () => createReadStream(collection, { start: bytes }).pipe(body),
    // The device stops half way: the server gets half a file and refuses it.
    endEarly: () => body.end(),
  };
}

test('start-up: ready, built, server started, update checks begun; a quit then drains and exits 0', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle, trayDestroyed, loginItemRefreshed } = launch(async () => testApp.controller);
  const started = lifecycle.start();
  assert.equal(lifecycle.phase, 'booting');
  app.becomeReady();
  await started;
  assert.equal(lifecycle.phase, 'running');
  assert.equal(loginItemRefreshed.count, 1, 'the start-at-login entry is written again at every start');
  assert.equal(testApp.controller.serverStatus.state, 'running');
  assert.ok(await answersHealth(testApp.base()));

  app.quit();
  assert.equal(lifecycle.quitting, true, 'the window closes for real now');
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
  assert.equal(await answersHealth(testApp.base()), false);
  assert.ok(trayDestroyed.value, 'no ghost tray icon');
});

test('quit before Electron is ready: nothing is built, and the app exits 0', async () => {
  let booted = false;
  const { app, lifecycle } = launch(async () => {
    booted = true;
    throw new Error('not reached');
  });
  const started = lifecycle.start();
  // SIGTERM reaches the lifecycle as this quit: Electron turns the signal into app.quit().
  app.quit();
  app.becomeReady();
  await started;
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(booted, false);
});

test('quit while start-up builds the app: it finishes building, never starts the server, exits 0', async (t) => {
  const testApp = await appWithAccount(t);
  let finishBoot!: () => void;
  const booting = new Promise<void>((resolve) => (finishBoot = resolve));
  const { app, lifecycle } = launch(async () => {
    await booting;
    return testApp.controller;
  });
  const started = lifecycle.start();
  app.becomeReady();
  await new Promise((resolve) => setImmediate(resolve));
  app.quit();
  assert.equal(app.ended, null, 'the quit waits for start-up, it is not lost');
  finishBoot();
  await started;
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
  assert.equal(await answersHealth(testApp.base()), false);
});

test('quit while the server is starting: the start finishes, then the server drains and the app exits 0', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller);
  const statuses: string[] = [];
  testApp.controller.onChange(() => {
    const state = testApp.controller.serverStatus.state;
    if (statuses.at(-1) !== state) statuses.push(state);
    if (state === 'starting' && app.quitCalls === 0) app.quit();
  });
  app.becomeReady();
  await lifecycle.start();
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(app.quitCalls, 1);
  assert.deepEqual(statuses.slice(0, 1), ['starting']);
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
  assert.equal(await answersHealth(testApp.base()), false);
});

test('quit while a device uploads its collection: the upload finishes and is kept, then the app exits 0', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller);
  app.becomeReady();
  await lifecycle.start();

  const collection = largeCollection(t);
  // Half the file is on its way; the server reports the upload in progress.
  const upload = await uploadInTwo(testApp.base(), collection, Math.floor(statSync(collection).size / 2));
  await waitUntil(() => testApp.controller.syncingUsers().includes('alice'), 'the upload to be in progress');

  app.quit();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(app.ended, null, 'the app waits for the upload');
  upload.rest();
  assert.equal(await upload.answer, 'OK');
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });

  const stored = openDatabase(join(testApp.storage, 'alice', 'collection.anki2'), { readonly: true, fileMustExist: true });
  try {
    assert.equal((stored.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n, 16);
  } finally {
    stored.close();
  }
});

test('quit with an update downloaded: drained, then installed; electron-updater quitting the app is let through', async (t) => {
  const fake = new FakeElectronApp();
  // As electron-updater does when the installer has started: quit the app.
  const updater = new StandInUpdater('9.9.9', () => setImmediate(() => fake.quit()));
  const testApp = await appWithAccount(t, updater);
  testApp.settings.update({ checkForUpdates: true });
  const launched = launch(async () => testApp.controller, { installWatchdogMs: 60_000 }, fake);
  fake.becomeReady();
  await launched.lifecycle.start();
  await testApp.controller.updates.checkNow();
  assert.equal(testApp.controller.updates.status.state, 'ready');

  fake.quit();
  assert.deepEqual(await fake.ending(), { by: 'quit', code: 0 }, 'Electron quits into the installer');
  assert.deepEqual(updater.installs, [false], 'installed on quit, no restart');
  assert.equal(testApp.controller.serverStatus.state, 'stopped', 'after the drain');
});

test('quit with an update that cannot install (unsigned Mac, pkexec cancelled): the watchdog exits the app', async (t) => {
  const updater = new StandInUpdater('9.9.9'); // installs nothing and never quits the app
  const testApp = await appWithAccount(t, updater);
  testApp.settings.update({ checkForUpdates: true });
  const { app, lifecycle, log } = launch(async () => testApp.controller, { installWatchdogMs: 50 });
  app.becomeReady();
  await lifecycle.start();
  await testApp.controller.updates.checkNow();

  app.quit();
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.deepEqual(updater.installs, [false]);
  assert.ok(log.includes('the update did not take over; quitting without it'), log.join('\n'));
});

test('quit with an update whose install fails at once (the updater reports an error): exits without waiting', async (t) => {
  const ref: { lifecycle?: AppLifecycle } = {};
  const updater = new StandInUpdater('9.9.9', () =>
    ref.lifecycle!.updateError(new Error('Could not get code signature for running application')),
  );
  const testApp = await appWithAccount(t, updater);
  testApp.settings.update({ checkForUpdates: true });
  const { app, lifecycle } = launch(async () => testApp.controller, { installWatchdogMs: 60_000 });
  ref.lifecycle = lifecycle;
  app.becomeReady();
  await lifecycle.start();
  await testApp.controller.updates.checkNow();
  app.quit();
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
});

test('"restart and install" that fails: the server starts again and the activity list says so', async (t) => {
  const ref: { lifecycle?: AppLifecycle } = {};
  const inner = new StandInUpdater('9.9.9', () => ref.lifecycle!.updateError(new Error('pkexec: authentication cancelled')));
  const testApp = await (async () => {
    // The controller gets the lifecycle's guarded updater, as main.ts wires it.
    const guarded: Updater = {
      checkAndDownload: () => inner.checkAndDownload(),
      installNow: (restart) => ref.lifecycle!.guardUpdater(inner).installNow(restart),
    };
    return appWithAccount(t, guarded);
  })();
  testApp.settings.update({ checkForUpdates: true });
  const { app, lifecycle } = launch(async () => testApp.controller, { installWatchdogMs: 60_000 });
  ref.lifecycle = lifecycle;
  app.becomeReady();
  await lifecycle.start();
  await testApp.controller.updates.checkNow();

  testApp.controller.installUpdate();
  await waitUntil(() => lifecycle.phase === 'running' && testApp.controller.serverStatus.state === 'running', 'the server to run again');
  assert.deepEqual(inner.installs, [true]);
  assert.equal(app.ended, null, 'the app carries on');
  assert.ok(await answersHealth(testApp.base()), 'devices can sync again');
  const activity = (await testApp.controller.state()).activity.map((entry) => entry.message);
  assert.ok(
    activity.some((message) => message.startsWith('The new version could not be installed')),
    activity.join('\n'),
  );
  // And a later quit still drains and exits.
  ref.lifecycle = lifecycle;
  app.quit();
  assert.equal((await app.ending()).code, 0);
});

test('"restart and install" that never takes over: after the watchdog the server runs again', async (t) => {
  const ref: { lifecycle?: AppLifecycle } = {};
  const inner = new StandInUpdater('9.9.9');
  const guarded: Updater = {
    checkAndDownload: () => inner.checkAndDownload(),
    installNow: (restart) => ref.lifecycle!.guardUpdater(inner).installNow(restart),
  };
  const testApp = await appWithAccount(t, guarded);
  testApp.settings.update({ checkForUpdates: true });
  const { app, lifecycle } = launch(async () => testApp.controller, { installWatchdogMs: 50 });
  ref.lifecycle = lifecycle;
  app.becomeReady();
  await lifecycle.start();
  await testApp.controller.updates.checkNow();

  testApp.controller.installUpdate();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(lifecycle.phase, 'updating');
  await waitUntil(
    () => (lifecycle.phase as string) === 'running' && testApp.controller.serverStatus.state === 'running',
    'the server to run again',
  );
  assert.ok(await answersHealth(testApp.base()));
  app.quit();
  await app.ending();
});

test('the guarded updater says what the inner one says about installing (an unsigned Mac build only looks)', () => {
  const { lifecycle } = launch(async () => {
    throw new Error('never built: Electron is never ready here');
  });
  const inner = new StandInUpdater('9.9.9');
  assert.equal(lifecycle.guardUpdater(Object.assign(inner, { canInstall: false })).canInstall, false);
  assert.equal('canInstall' in lifecycle.guardUpdater(new StandInUpdater('9.9.9')), false);
});

test('a second launch shows the window (even during start-up); a second launch with --quit quits', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle, shown } = launch(async () => testApp.controller);
  app.secondLaunch(['/opt/Anki Home Sync/anki-home-sync']);
  assert.equal(shown.count, 0, 'nothing to show yet');
  app.becomeReady();
  await lifecycle.start();
  assert.equal(shown.count, 1, 'shown once built');
  app.secondLaunch(['/opt/Anki Home Sync/anki-home-sync']);
  assert.equal(shown.count, 2);
  app.emit('activate');
  assert.equal(shown.count, 3, 'the Dock icon too');

  // Windows may reorder a second instance's switches; the lock's data says what it wants.
  app.secondLaunch(['C:\\Anki Home Sync.exe'], { command: 'quit' });
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
});

test('a second launch with --quit on its command line quits too', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller);
  app.becomeReady();
  await lifecycle.start();
  app.secondLaunch(['/usr/bin/anki-home-sync', '--user-data-dir=/tmp/x', '--quit']);
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
});

test('macOS logout or shutdown: the quit that follows is not held up, even during a sync', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller, { platform: 'darwin' });
  app.becomeReady();
  await lifecycle.start();
  const collection = largeCollection(t);
  const upload = await uploadInTwo(testApp.base(), collection, Math.floor(statSync(collection).size / 2));
  await waitUntil(() => testApp.controller.syncingUsers().includes('alice'), 'the upload to be in progress');

  const shutdown = preventable();
  lifecycle.systemShutdown(shutdown);
  assert.equal(shutdown.prevented, false, 'macOS is not asked to wait');
  app.quit();
  // Held up, macOS would cancel the logout ("Anki Home Sync interrupted logging out").
  assert.deepEqual(app.ended, { by: 'quit', code: 0 }, 'the quit went through at once');
  upload.endEarly();
  await upload.answer.catch(() => undefined);
  // The server was being stopped on the way out; let it finish before the test's own cleanup.
  await waitUntil(() => testApp.controller.serverStatus.state === 'stopped', 'the server to stop');
});

test('Linux shutdown: logind is asked to wait while the server drains, then the app exits 0', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller, { platform: 'linux' });
  app.becomeReady();
  await lifecycle.start();
  const shutdown = preventable();
  lifecycle.systemShutdown(shutdown);
  assert.equal(shutdown.prevented, true);
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
});

test('Windows session end: asked during a sync, the session waits for the drain; at session-end the server drains', async (t) => {
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller, { platform: 'win32' });
  app.becomeReady();
  await lifecycle.start();

  const idle = preventable();
  lifecycle.sessionEndQuery(idle);
  assert.equal(idle.prevented, false, 'nothing syncing: the session may end');

  const collection = largeCollection(t);
  const upload = await uploadInTwo(testApp.base(), collection, Math.floor(statSync(collection).size / 2));
  await waitUntil(() => testApp.controller.syncingUsers().includes('alice'), 'the upload to be in progress');

  const busy = preventable();
  lifecycle.sessionEndQuery(busy);
  assert.equal(busy.prevented, true, 'a device is syncing: Windows is asked to wait');
  lifecycle.sessionEnd();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(app.ended, null, 'still draining');
  upload.rest();
  assert.equal(await upload.answer, 'OK');
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
});

test('Windows session end with nothing syncing: the session is not held up, and at session-end the server stops and the app exits 0', async (t) => {
  // query-session-end is let through when no device syncs; session-end alone must then drain.
  const testApp = await appWithAccount(t);
  const { app, lifecycle } = launch(async () => testApp.controller, { platform: 'win32' });
  app.becomeReady();
  await lifecycle.start();
  const idle = preventable();
  lifecycle.sessionEndQuery(idle);
  assert.equal(idle.prevented, false);
  assert.equal(app.ended, null, 'asking alone ends nothing: another program may still refuse');
  lifecycle.sessionEnd();
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.equal(testApp.controller.serverStatus.state, 'stopped');
});

test('a drain that never ends: the app exits at the drain limit anyway', async () => {
  const stuck: LifecycleController = {
    settings: () => ({ users: [] }),
    start: async () => undefined,
    shutdown: () => new Promise<void>(() => undefined),
    syncingUsers: () => [],
    updates: { start: () => undefined, stop: () => undefined, installOnQuit: () => false },
    updateNotInstalled: () => undefined,
  };
  const { app, lifecycle, log } = launch(async () => stuck, { drainLimitMs: 50 });
  app.becomeReady();
  await lifecycle.start();
  app.quit();
  assert.deepEqual(await app.ending(), { by: 'exit', code: 0 });
  assert.ok(log.some((line) => line.includes('drain limit')));
});

test('start-up that fails exits 1 and says why in the log', async () => {
  const { app, lifecycle, log } = launch(async () => {
    throw new Error('settings folder not writable');
  });
  app.becomeReady();
  await lifecycle.start();
  assert.deepEqual(app.ended, { by: 'exit', code: 1 });
  assert.ok(log.includes('start-up failed'));
});

test('the notice that a desktop shows no tray is given once, and remembered across starts', async (t) => {
  const testApp = await createTestApp(t);
  assert.equal(testApp.controller.takeNoTrayNotice(), true);
  assert.equal(testApp.controller.takeNoTrayNotice(), false);
  assert.equal(testApp.relaunch().controller.takeNoTrayNotice(), false);
});

test('the window at start: shown on first run and when started by hand, not at login or when set to start in the tray', () => {
  assert.equal(showWindowAtStart({ users: [], startInTray: true }, true), true, 'first run: an account to create');
  assert.equal(showWindowAtStart({ users: [{}], startInTray: false }, false), true);
  assert.equal(showWindowAtStart({ users: [{}], startInTray: true }, false), false);
  assert.equal(showWindowAtStart({ users: [{}], startInTray: false }, true), false);
});
