import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConfSettings } from '../../src-main/settings/conf-store.js';
import { DEFAULT_SETTINGS, sanitizeSettings } from '../../src-main/settings/settings.js';
import { makeTempFolder } from '../support/temp-folder.js';

function tempFolder(): string {
  return makeTempFolder('ahs-settings-');
}

const PHC = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

test('settings survive a reopen of the real file', (t) => {
  const folder = tempFolder();
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const store = createConfSettings(folder);
  assert.deepEqual(store.read(), DEFAULT_SETTINGS);
  store.update({
    port: 8123,
    bindAddress: 'this-computer-only',
    users: [{ name: 'alice', phc: PHC, lastSync: { at: 5, clientIp: '10.0.0.2' } }],
  });
  const again = createConfSettings(folder).read();
  assert.equal(again.port, 8123);
  assert.equal(again.bindAddress, 'this-computer-only');
  assert.deepEqual(again.users, [{ name: 'alice', phc: PHC, lastSync: { at: 5, clientIp: '10.0.0.2' } }]);
  assert.equal(store.path, join(folder, 'settings.json'));
  assert.ok(!readFileSync(store.path, 'utf8').includes('password'));
});

test('a hand-edited file with wrong values falls back per field', () => {
  const settings = sanitizeSettings({
    port: 99999,
    bindAddress: 'everywhere',
    startAtLogin: 'yes',
    startInTray: true,
    storageFolder: 7,
    users: [
      { name: 'bob', phc: 'plaintext-password' },
      { name: 'carol', phc: PHC, lastSync: 'yesterday' },
      { name: 'Carol', phc: PHC },
      { name: '../x', phc: PHC },
      null,
    ],
  });
  assert.equal(settings.port, DEFAULT_SETTINGS.port);
  assert.equal(settings.bindAddress, 'all-interfaces');
  assert.equal(settings.startAtLogin, false);
  assert.equal(settings.startInTray, true);
  assert.equal(settings.storageFolder, '');
  // Only argon2id hashes are accepted (a plain-text "hash" is dropped, not trusted), and
  // only names the server accepts: a second Carol and a path are dropped.
  assert.deepEqual(settings.users, [{ name: 'carol', phc: PHC, lastSync: null }]);
});

test('an unreadable settings file is set aside, never deleted, and the app starts fresh', (t) => {
  const folder = tempFolder();
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'settings.json'), '{"users": [ truncated');
  const store = createConfSettings(folder);
  assert.deepEqual(store.read(), DEFAULT_SETTINGS);
  const kept = readdirSync(folder).find((name) => name.startsWith('settings.json.unreadable-'));
  assert.ok(kept, 'the damaged file is kept');
  assert.equal(readFileSync(join(folder, kept), 'utf8'), '{"users": [ truncated');
});
