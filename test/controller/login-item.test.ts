// Start at login on Linux (controller/login-item.ts): the autostart entry names
// the app's file correctly quoted for the Desktop Entry Specification, is
// written again at every start (an AppImage update renames the file it names),
// and goes away when the setting is off. Real files in a temporary folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_USER_MODEL_ID,
  autostartEntry,
  autostartExecutable,
  execArgument,
  linuxAutostartFile,
  LOGIN_ARG,
  startedAtLogin,
  writeLinuxAutostart,
} from '../../src-main/controller/login-item.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { REPO_ROOT } from '../support/fixture-paths.js';

test('the entry quotes a path with spaces and escapes what the Exec key reserves', () => {
  assert.equal(execArgument('/usr/bin/anki-home-sync'), '/usr/bin/anki-home-sync');
  assert.equal(execArgument('/opt/Anki Home Sync/anki-home-sync'), '"/opt/Anki Home Sync/anki-home-sync"');
  // Inside quotes " ` $ \ take a backslash; the key's string escaping then doubles every backslash; % is doubled.
  assert.equal(execArgument('/home/a$b/100%/x"y'), '"/home/a\\\\$b/100%%/x\\\\"y"');
  assert.throws(() => execArgument('/tmp/a\nb'), /control character/);
  const entry = autostartEntry('/home/ana/Apps/anki-home-sync-1.2.0-x86_64.AppImage');
  assert.match(entry, /^\[Desktop Entry\]\nType=Application\n/);
  assert.match(entry, new RegExp(`\\nExec=/home/ana/Apps/anki-home-sync-1\\.2\\.0-x86_64\\.AppImage ${LOGIN_ARG}\\n`));
});

test('an AppImage starts by its own file; anything else by its executable', () => {
  assert.equal(
    autostartExecutable({ APPIMAGE: '/home/ana/Apps/a.AppImage' }, '/tmp/.mount_abc/anki-home-sync'),
    '/home/ana/Apps/a.AppImage',
  );
  assert.equal(autostartExecutable({}, '/opt/Anki Home Sync/anki-home-sync'), '/opt/Anki Home Sync/anki-home-sync');
  assert.equal(linuxAutostartFile({ XDG_CONFIG_HOME: '/x/config' }, '/home/ana'), join('/x/config', 'autostart', 'anki-home-sync.desktop'));
  assert.equal(linuxAutostartFile({}, '/home/ana'), join('/home/ana', '.config', 'autostart', 'anki-home-sync.desktop'));
});

test('written again at each start: after an AppImage update the entry names the new file; removed when off', async (t) => {
  const folder = makeTempFolder('ahs-autostart-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = linuxAutostartFile({ XDG_CONFIG_HOME: folder });

  await writeLinuxAutostart(true, '/home/ana/Apps/anki-home-sync-1.0.0-x86_64.AppImage', file);
  assert.match(readFileSync(file, 'utf8'), /anki-home-sync-1\.0\.0-x86_64\.AppImage/);
  // The next start, from the updated file.
  await writeLinuxAutostart(true, '/home/ana/Apps/anki-home-sync-1.1.0-x86_64.AppImage', file);
  assert.match(readFileSync(file, 'utf8'), /anki-home-sync-1\.1\.0-x86_64\.AppImage/);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /1\.0\.0/);
  // A hand-damaged entry is put right too.
  writeFileSync(file, '[Desktop Entry]\nExec=/gone\n');
  await writeLinuxAutostart(true, '/home/ana/Apps/anki-home-sync-1.1.0-x86_64.AppImage', file);
  assert.equal(readFileSync(file, 'utf8'), autostartEntry('/home/ana/Apps/anki-home-sync-1.1.0-x86_64.AppImage'));

  await writeLinuxAutostart(false, 'unused', file);
  assert.equal(existsSync(file), false);
  await writeLinuxAutostart(false, 'unused', file); // already gone: fine
});

test("a launch at login is recognised; Windows uses the installer's app id, so notices show", () => {
  assert.equal(startedAtLogin(['/opt/x', LOGIN_ARG], false), true);
  assert.equal(startedAtLogin(['/opt/x'], true), true, 'macOS says so itself');
  assert.equal(startedAtLogin(['/opt/x'], false), false);
  const config = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(config, new RegExp(`^appId: ${APP_USER_MODEL_ID.replace(/\./g, '\\.')}$`, 'm'));
});
