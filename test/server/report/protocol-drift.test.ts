// The protocol-drift alarm and the clients each account uses, against the real
// server. Version strings are real clients' shapes: the desktop's from
// rslib/src/version.rs ("25.02,<hash>,linux" in the v11 header, "anki,25.02
// (<hash>),linux" in meta), the Rust clients on phones reporting "android" and
// "ios" as their system, the 2.1.16 capture in test/fixtures/wire-legacy-2.1.16
// ("ankidesktop,2.1.16 (4bc33e2f),lin:debian:12"), and AnkiDroid's legacy
// "ankidroid,<version>,android:<release>:<model>".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeClient } from '../../../src-main/server/report/client-version.js';
import type { ActivityEvent } from '../../../src-main/server/protocol.js';
import type { ClientSeen } from '../../../src-main/server/report/client-versions.js';
import { describeActivity } from '../../../src-main/controller/activity-log.js';
import { startLoggedIn } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { SyncHttpError } from '../../support/v11-transport.js';
import { LegacyClient } from '../../support/legacy-client.js';

test('client version strings read as a learner would say them', () => {
  const cases: [string, string][] = [
    ['25.02,1a2b3c4d,linux', 'Anki 25.02 (Linux)'],
    ['anki,25.02 (1a2b3c4d),linux', 'Anki 25.02 (Linux)'],
    ['24.11,87ccd24e,windows', 'Anki 24.11 (Windows)'],
    ['anki,23.12.1 (1a1d4d54),macos', 'Anki 23.12.1 (macOS)'],
    ['anki,2.1.66 (70506aeb),android', 'AnkiDroid with Anki 2.1.66 (Android)'],
    ['25.02,1a2b3c4d,ios', 'AnkiMobile with Anki 25.02 (iOS)'],
    ['ankidesktop,2.1.16 (4bc33e2f),lin:debian:12', 'Anki 2.1.16 (Linux)'],
    ['ankidesktop,2.1.50,win:10', 'Anki 2.1.50 (Windows)'],
    ['ankidroid,2.15.6,android:13:Pixel 7', 'AnkiDroid 2.15.6 (Android 13)'],
  ];
  for (const [raw, label] of cases) assert.equal(describeClient(raw)?.label, label, raw);
  assert.equal(describeClient(''), null);
  assert.equal(describeClient('weird\u0000client')?.label, 'weird\\x00client', 'escaped, never raw control characters');
});

test('a sync version above 11: 400 as the official server answers, and the learner is told to update this server', async (t) => {
  const { server, client } = await startLoggedIn();
  t.after(() => server.close());
  const future = new V11Client(server.baseUrl, { hostKey: client.hostKey });
  future.clientVersion = '27.01,9f8e7d6c,linux';
  const raw = await import('../../support/v11-transport.js');
  for (let i = 0; i < 3; i++) {
    const response = await raw.postRaw(
      future.url('sync', 'meta'),
      { 'anki-sync': JSON.stringify({ v: 12, k: client.hostKey, c: future.clientVersion, s: 'abc' }) },
      (await import('node:stream')).Readable.from([Buffer.from('x')]),
    );
    let body = '';
    for await (const chunk of response) body += String(chunk);
    assert.equal(response.statusCode, 400);
    assert.equal(body, '400', 'the body is the status, as the reference sends it');
  }
  const drift = server.activity.filter((e) => e.kind === 'protocol-drift');
  assert.equal(drift.length, 1, 'a device retrying is listed once a minute, not every time');
  assert.equal(
    drift[0]!.detail,
    'Anki 27.01 (Linux) on 127.0.0.1 uses a newer sync protocol (version 12) than this version of Anki Home Sync (up to 11). Update Anki Home Sync.',
  );
  assert.equal(describeActivity(drift[0]!), drift[0]!.detail, 'the activity list shows it as it is');
  assert.equal(server.server.status.state, 'running');
});

test('an unknown method under /sync/ or /msync/ raises the same alarm', async (t) => {
  const { server, client } = await startLoggedIn();
  t.after(() => server.close());
  client.clientVersion = '26.08,0a1b2c3d,macos';
  await assert.rejects(client.json('sync', 'applyNewThings', {}), (e: unknown) => e instanceof SyncHttpError && e.status === 400);
  await assert.rejects(client.json('msync', 'mediaDelta', {}), (e: unknown) => e instanceof SyncHttpError && e.status === 400);
  const drift = server.activity.filter((e) => e.kind === 'protocol-drift').map((e) => e.detail);
  assert.deepEqual(drift, [
    'Anki 26.08 (macOS) on 127.0.0.1 asked for sync/applyNewThings, which this version of Anki Home Sync does not know: the device uses a newer sync protocol. Update Anki Home Sync.',
    'Anki 26.08 (macOS) on 127.0.0.1 asked for msync/mediaDelta, which this version of Anki Home Sync does not know: the device uses a newer sync protocol. Update Anki Home Sync.',
  ]);
});

test("each account's clients: v11 desktop, phones and a legacy desktop, reported once a minute and logged once per version", async (t) => {
  const logged: string[] = [];
  const { SyncServer } = await import('../../../src-main/server/server.js');
  const { testServerConfig, plainUser } = await import('../../support/test-server.js');
  const { makeTempFolder } = await import('../../support/temp-folder.js');
  const { rmSync } = await import('node:fs');
  const base = makeTempFolder('ahs-clients-');
  const server = new SyncServer(testServerConfig(base, { users: [plainUser('alice', 'pw'), plainUser('bob', 'pw')] }), {
    logger: {
      info: (message, fields) => message === 'client' && logged.push(`${String(fields?.['uid'])}: ${String(fields?.['client'])}`),
      warn() {},
      error() {},
    },
  });
  const seen: ClientSeen[] = [];
  const events: ActivityEvent[] = [];
  server.on('client', (s) => seen.push(s));
  server.on('activity', (e) => events.push(e));
  const { port } = await server.start();
  t.after(async () => {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/`;

  const desktop = new V11Client(url);
  desktop.clientVersion = '25.02,1a2b3c4d,linux';
  await desktop.login('alice', 'pw');
  await desktop.meta();
  await desktop.meta();
  const phone = new V11Client(url);
  phone.clientVersion = '25.02,1a2b3c4d,android';
  await phone.login('alice', 'pw');
  const legacy = new LegacyClient(url, { syncVersion: 9 });
  await legacy.login('bob', 'pw');
  await legacy.call('meta', { v: 9, cv: 'ankidesktop,2.1.16 (4bc33e2f),lin:debian:12' });

  assert.deepEqual(
    seen.map((s) => `${s.username}: ${s.client}`),
    ['alice: Anki 25.02 (Linux)', 'alice: AnkiDroid with Anki 25.02 (Android)', 'bob: Anki 2.1.16 (Linux)'],
    'one report per account and client, however many requests',
  );
  assert.deepEqual(logged, ['alice: Anki 25.02 (Linux)', 'alice: AnkiDroid with Anki 25.02 (Android)', 'bob: Anki 2.1.16 (Linux)']);
  assert.ok(seen.every((s) => s.clientIp === '127.0.0.1'));
});
