// The learner is told inside Anki (meta's msg) of the events they must act on:
// the account was restored from a backup, the server stops for an update, the
// HTTPS certificate expires within 14 days. Each device once per event, over the
// v11 and the legacy envelope, HTML-escaped for Anki 26.05's rich-text dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { markRestored } from '../../../src-main/server/reach/learner-events.js';
import { certificateNotice } from '../../../src-main/server/reach/learner-events.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { V11Client, type SyncMeta } from '../../support/v11-client.js';
import { LegacyClient } from '../../support/legacy-client.js';
import { TestDevice } from '../../support/test-device.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { createTestAuthority } from '../../support/test-ca.js';
import { trustAuthority } from '../../support/v11-transport.js';

const folder = makeTempFolder('ahs-told-');
test.after(() => rmSync(folder, { recursive: true, force: true }));

function collection(name: string): string {
  const path = join(folder, `${name}.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  device.beforeUpload();
  device.close();
  return path;
}

/** Three devices of one account: Anki on the desktop, AnkiDroid (v11, another client), and a legacy client. */
async function devices(server: TestServer): Promise<{ desktop: V11Client; phone: () => Promise<SyncMeta>; legacy: () => Promise<string> }> {
  const desktop = new V11Client(server.baseUrl);
  const hostKey = await desktop.login('user', 'pass');
  const phoneClient = new V11Client(server.baseUrl, { hostKey });
  const legacyClient = new LegacyClient(server.baseUrl, { hostKey, syncVersion: 10 });
  return {
    desktop,
    phone: () => phoneClient.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,2.20.1 (abcdef),android' }),
    legacy: async () => String(((await legacyClient.meta()) as { msg: unknown }).msg),
  };
}

test('a restored account: each device is told once to choose Download, until a full upload replaces the restored collection', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const { desktop, phone, legacy } = await devices(server);
  assert.equal(await desktop.fullUpload(collection('restored')), 'OK');
  assert.equal((await desktop.meta()).msg, '', 'nothing to say before the restore');

  // What the window's restore does (server/storage/snapshots/restore-snapshot.ts): a new schema time, then the marker.
  const restoredScm = Date.now();
  await server.server.withUserFilesClosed('user', async () => {
    const db = openDatabase(server.paths('user').collection, { fileMustExist: true });
    db.prepare('UPDATE col SET scm = ?').run(restoredScm);
    db.close();
    markRestored(server.paths('user').folder, restoredScm);
  });

  const told = await desktop.meta();
  assert.equal(told.scm, restoredScm);
  assert.match(told.msg, /restored from a backup\. When Anki asks which copy to keep, choose Download/);
  assert.match(told.msg, /this device&#39;s copy/, 'HTML-escaped: Anki 26.05+ shows msg as rich text');
  assert.doesNotMatch(told.msg, /'/);
  assert.equal(told.cont, true, 'the sync goes on');
  assert.equal((await desktop.meta()).msg, '', 'told once');
  assert.match((await phone()).msg, /choose Download/, 'another device is told too');
  assert.equal((await phone()).msg, '');
  assert.match(await legacy(), /choose Download/, 'and a legacy client (sync version 10)');
  assert.equal(await legacy(), '');

  const list = server.server.noticesTold();
  assert.equal(list.length, 3, 'the window lists the three devices told');
  assert.deepEqual(
    list.map((entry) => entry.device.replace(/^\S+ /, '')).sort(),
    ['anki,2.20.1 (abcdef),android', 'anki,25.02 (1a2b3c4d),linux', 'ankidesktop,2.1.16 (4bc33e2f),lin:debian:12'].sort(),
  );
  assert.ok(list.every((entry) => entry.account === 'user' && /choose Download/.test(entry.notice)));

  // A device chose Upload after all: the restored collection is gone, and so is the notice.
  assert.equal(await desktop.fullUpload(collection('after-restore')), 'OK');
  const other = new V11Client(server.baseUrl, { hostKey: desktop.hostKey });
  assert.equal((await other.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,24.11 (aaaaaa),mac' })).msg, '');
});

test('an update waiting to install: each device that syncs before the restart is told once, over v11 and legacy; not again as it stops', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const { desktop, phone, legacy } = await devices(server);
  assert.equal((await desktop.meta()).msg, '', 'nothing to say before the update is downloaded');
  server.server.announceUpdate('0.2.0');
  const told = await desktop.meta();
  assert.match(told.msg, /has an update ready and will restart to install it/);
  assert.equal(told.cont, true, 'the sync goes on');
  assert.equal((await desktop.meta()).msg, '', 'told once');
  server.server.announceUpdate('0.2.0');
  assert.equal((await desktop.meta()).msg, '', 'announced again at a new start of the same wait: still told once');
  assert.match((await phone()).msg, /will restart to install it/);
  assert.match(await legacy(), /will restart to install it/, 'and a legacy client (sync version 10)');
  assert.equal(await legacy(), '');

  // The owner chose "Restart and install": the drain is the same event for the devices already told.
  server.server.announceStopForUpdate('0.2.0');
  assert.equal((await desktop.meta()).msg, '');
  assert.equal(await legacy(), '');
  const late = new V11Client(server.baseUrl, { hostKey: desktop.hostKey });
  const lateMeta = await late.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,24.11 (aaaaaa),mac' });
  assert.match(lateMeta.msg, /stopping for an update/, 'a device not told yet hears it as the server stops');
  assert.equal(server.server.noticesTold().length, 4, 'the window lists the four devices told');

  // A newer update is a new event.
  server.server.announceUpdate('0.3.0');
  assert.match((await desktop.meta()).msg, /will restart to install it/);
});

test('stopping for an update: devices that sync meanwhile are told once, over v11 and legacy; a new start says nothing', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const { desktop, phone, legacy } = await devices(server);
  assert.equal((await desktop.meta()).msg, '');
  server.server.announceStopForUpdate();
  const told = await desktop.meta();
  assert.match(told.msg, /stopping for an update/);
  assert.equal(told.cont, true);
  assert.equal((await desktop.meta()).msg, '');
  assert.match((await phone()).msg, /stopping for an update/);
  assert.match(await legacy(), /stopping for an update/);
  assert.equal(await legacy(), '');

  await server.server.stop();
  await server.server.start();
  const again = new V11Client(`http://127.0.0.1:${server.server.status.address!.port}/`, { hostKey: desktop.hostKey });
  assert.equal((await again.json<SyncMeta>('sync', 'meta', { v: 11, cv: 'anki,24.11 (aaaaaa),mac' })).msg, '', 'the update is over');
});

test('a certificate that expires within 14 days: each device is told once, escaped', async (t) => {
  const ca = createTestAuthority(makeTempFolder('ahs-told-ca-'));
  trustAuthority(ca.rootPem);
  t.after(() => {
    trustAuthority(undefined);
    rmSync(ca.folder, { recursive: true, force: true });
  });
  const soon = await startTestServer({
    config: { tls: ca.issue('soon', { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 7 }) },
  });
  t.after(() => soon.close());
  const { desktop, phone } = await devices(soon);
  const told = await desktop.meta();
  assert.match(told.msg, /The sync server&#39;s security certificate expires on \d{4}-\d\d-\d\d\./);
  assert.equal((await desktop.meta()).msg, '');
  assert.match((await phone()).msg, /certificate expires/);

  const fine = await startTestServer({
    config: { tls: ca.issue('fine', { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 30 }) },
  });
  t.after(() => fine.close());
  assert.equal((await (await devices(fine)).desktop.meta()).msg, '', 'thirty days left: nothing to say');
});

test('the certificate notice: a new certificate is a new event; an expired one says so', () => {
  const now = Date.parse('2026-12-07T00:00:00Z');
  let validTo = new Date('2026-12-15T00:00:00Z');
  const source = certificateNotice(
    () => ({ validTo }),
    () => now,
  );
  const account = { name: 'user', bytes: 0 };
  const first = source(account)!;
  assert.match(first.text, /expires on 2026-12-15/);
  validTo = new Date('2026-12-20T00:00:00Z');
  assert.notEqual(source(account)!.id, first.id, 'a renewed certificate that again nears its end is told again');
  validTo = new Date('2026-12-01T00:00:00Z');
  assert.match(source(account)!.text, /expired on 2026-12-01/);
  validTo = new Date('2027-03-01T00:00:00Z');
  assert.equal(source(account), null);
});
