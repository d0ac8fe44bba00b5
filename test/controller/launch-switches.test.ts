// The switches the app reads itself (controller/launch-switches.ts): a packaged
// app refuses Chromium's remote debugging unless the test switch is given, and
// a second launch with --quit quits the running one. Chromium's own reading of
// switches is followed: "--" or "-" (and "/" on Windows), case-insensitive on
// Windows, nothing after a bare "--".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW_REMOTE_DEBUGGING_SWITCH,
  launchCommand,
  refusedDebugging,
  secondLaunchData,
  switchNames,
} from '../../src-main/controller/launch-switches.js';

const exe = '/opt/Anki Home Sync/anki-home-sync';

test('a packaged app refuses --remote-debugging-port and --remote-debugging-pipe, in every spelling Chromium reads', () => {
  for (const argv of [
    [exe, '--remote-debugging-port=9222'],
    [exe, '-remote-debugging-port=0'],
    [exe, '--user-data-dir=/tmp/p', '--remote-debugging-pipe'],
  ]) {
    assert.match(refusedDebugging(argv, true, () => false, 'linux') ?? '', /does not start with --remote-debugging/, argv.join(' '));
  }
  assert.match(refusedDebugging(['C:\\app.exe', '/Remote-Debugging-Port=9222'], true, () => false, 'win32') ?? '', /remote-debugging-port/);
  // Chromium's parsed command line says so even when argv is spelled differently.
  assert.notEqual(
    refusedDebugging([exe], true, (name) => name === 'remote-debugging-port', 'linux'),
    null,
  );
});

test('the test switch allows it; an unpackaged app (npm start, playwright) always may; no switch, no refusal', () => {
  assert.equal(
    refusedDebugging([exe, '--remote-debugging-port=0', `--${ALLOW_REMOTE_DEBUGGING_SWITCH}`], true, () => false, 'linux'),
    null,
  );
  assert.equal(
    refusedDebugging([exe, '--remote-debugging-port=0'], false, () => false, 'linux'),
    null,
  );
  assert.equal(
    refusedDebugging([exe, '--user-data-dir=/tmp/p', '--started-at-login'], true, () => false, 'linux'),
    null,
  );
  // After a bare "--" nothing is a switch (a file named like one, say).
  assert.equal(
    refusedDebugging([exe, '--', '--remote-debugging-port=1'], true, () => false, 'linux'),
    null,
  );
  assert.equal(
    refusedDebugging([exe, '/remote-debugging-port=1'], true, () => false, 'linux'),
    null,
    '"/" is a path on Linux',
  );
});

test('a second launch: --quit quits, anything else shows the window; the lock data wins over a reordered command line', () => {
  assert.deepEqual(secondLaunchData([exe, '--quit']), { command: 'quit' });
  assert.deepEqual(secondLaunchData([exe]), { command: 'show' });
  assert.equal(launchCommand([exe], { command: 'quit' }), 'quit');
  assert.equal(launchCommand([exe, '--quit'], undefined), 'quit');
  assert.equal(launchCommand([exe, '--quit'], { command: 'show' }), 'show');
  assert.equal(launchCommand([exe], { command: 'format-disk' }), 'show', 'unknown data is ignored');
  assert.deepEqual([...switchNames([exe, '--A=1', '-b', 'c'], 'linux')], ['a', 'b']);
});
