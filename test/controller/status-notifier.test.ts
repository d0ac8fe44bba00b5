// Whether a Linux desktop shows tray icons (controller/status-notifier.ts),
// asked of a real D-Bus session bus: a dbus-daemon started for the test. A
// desktop with a tray is stood in for by a connection that owns
// org.kde.StatusNotifierWatcher, as KDE's or the AppIndicator extension's does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  BusConnection,
  methodCall,
  readMessage,
  sessionBusSocket,
  STATUS_NOTIFIER_WATCHER,
  statusNotifierWatcherPresent,
} from '../../src-main/controller/status-notifier.js';
import { makeTempFolder } from '../support/temp-folder.js';

const SESSION_CONF = '/usr/share/dbus-1/session.conf';
const daemonMissing =
  process.platform !== 'linux'
    ? 'D-Bus session buses are a Linux matter'
    : spawnSync('dbus-daemon', ['--version']).status !== 0 || !existsSync(SESSION_CONF)
      ? 'dbus-daemon is not installed (apt-get install dbus-daemon)'
      : false;

async function startBus(t: { after(fn: () => unknown): void }): Promise<string> {
  const folder = makeTempFolder('ahs-dbus-');
  const socket = join(folder, 'bus');
  const daemon: ChildProcess = spawn(
    'dbus-daemon',
    [`--config-file=${SESSION_CONF}`, `--address=unix:path=${socket}`, '--nofork', '--print-address'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  t.after(async () => {
    daemon.kill();
    await new Promise((resolve) => daemon.once('exit', resolve));
    rmSync(folder, { recursive: true, force: true });
  });
  // It prints its address once it listens.
  await new Promise<void>((resolve, reject) => {
    daemon.stdout!.once('data', () => resolve());
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
  return `unix:path=${socket},guid=0123456789abcdef0123456789abcdef`;
}

test('the session bus address: a path, an abstract socket, the first unix one of several', () => {
  assert.equal(sessionBusSocket('unix:path=/run/user/1000/bus'), '/run/user/1000/bus');
  assert.equal(sessionBusSocket('unix:abstract=/tmp/dbus-AbC,guid=12'), '\0/tmp/dbus-AbC');
  assert.equal(sessionBusSocket('tcp:host=x,port=1;unix:path=/run/bus%20x'), '/run/bus x');
  assert.equal(sessionBusSocket(undefined), null);
  assert.equal(sessionBusSocket(''), null);
});

test('a message written is read back whole, and not before all its bytes are there', () => {
  const bytes = methodCall(7, 'RequestName', [
    { type: 's', value: STATUS_NOTIFIER_WATCHER },
    { type: 'u', value: 4 },
  ]);
  assert.equal((bytes.length - bytes.readUInt32LE(4)) % 8, 0, 'the body starts on an 8-byte boundary');
  const read = readMessage(bytes);
  assert.ok(read);
  assert.equal(read.size, bytes.length);
  assert.equal(read.message.type, 1);
  assert.equal(read.message.signature, 'su');
  assert.equal(readMessage(bytes.subarray(0, bytes.length - 1)), null);
});

test(
  'no tray without a session bus, or when the bus cannot be reached or does not answer',
  { skip: process.platform !== 'linux' && 'Linux only' },
  async (t) => {
    assert.equal(await statusNotifierWatcherPresent({}), false);
    const folder = makeTempFolder('ahs-nobus-');
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    assert.equal(await statusNotifierWatcherPresent({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(folder, 'none')}` }), false);
    // Something listens but never answers: given up after the timeout, with no socket left open.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(join(folder, 'silent'), resolve));
    t.after(() => silent.close());
    assert.equal(await statusNotifierWatcherPresent({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(folder, 'silent')}` }, 200), false);
  },
);

test(
  'plain GNOME (nobody owns the watcher): no tray; KDE or the AppIndicator extension (somebody does): a tray',
  { skip: daemonMissing },
  async (t) => {
    const address = await startBus(t);
    assert.equal(await statusNotifierWatcherPresent({ DBUS_SESSION_BUS_ADDRESS: address }), false);

    const desktop = await BusConnection.open(sessionBusSocket(address)!, 60_000);
    t.after(() => desktop.close());
    await desktop.requestName(STATUS_NOTIFIER_WATCHER);
    assert.equal(await statusNotifierWatcherPresent({ DBUS_SESSION_BUS_ADDRESS: address }), true);

    desktop.close();
    // Once the tray's owner is gone, the name is free again.
    let present = true;
    for (let i = 0; i < 50 && present; i++) {
      present = await statusNotifierWatcherPresent({ DBUS_SESSION_BUS_ADDRESS: address });
      if (present) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(present, false);
  },
);
