// HTTPS with the user's own certificate (SYNC_TLS_CERT, SYNC_TLS_KEY), against a
// test CA made with openssl: the three kinds of sync over it, the chain served
// from the certificate file, TLS 1.2 still accepted, a renewal in the middle of
// an upload that loses nothing, and the pairs that cannot be served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type PeerCertificate } from 'node:tls';
import { copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compressor } from 'zstd-napi';
import type { ActivityEvent } from '../../../src-main/server/protocol.js';
import { ServerStartError } from '../../../src-main/server/server.js';
import { parseJson, stringifyJson } from '../../../src-main/server/json.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { postRaw, syncHeaderValue, trustAuthority } from '../../support/v11-transport.js';
import { createTestAuthority, type IssuedPair, type TestAuthority } from '../../support/test-ca.js';
import { TestDevice } from '../../support/test-device.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { runNormalSync } from '../../support/normal-sync-client.js';
import { createMediaDevice, v11MediaTransport } from '../../support/media-server.js';

const folder = makeTempFolder('ahs-https-');
const ca: TestAuthority = createTestAuthority(folder);
trustAuthority(ca.rootPem);
const localhost = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

async function httpsServer(pair: IssuedPair, watch = { pollMs: 50, settleMs: 150 }): Promise<TestServer & { events: ActivityEvent[] }> {
  const server = await startTestServer({ config: { tls: pair }, certificateWatch: watch });
  return Object.assign(server, { events: server.activity });
}

/** The certificate a new connection is served, and the TLS version agreed. */
function handshake(
  port: number,
  options: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ca?: Buffer } = {},
): Promise<{ cert: PeerCertificate; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: options.ca ?? ca.rootPem,
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      },
      () => {
        const result = { cert: socket.getPeerCertificate(), protocol: socket.getProtocol() };
        socket.end();
        resolve(result);
      },
    );
    socket.once('error', reject);
  });
}

/** Waits (up to 5 s) for the server to report on its certificate files: renewed, or not. */
async function certificateEvent(server: { events: ActivityEvent[] }): Promise<void> {
  for (let i = 0; i < 100 && !server.events.some((e) => e.kind === 'certificate'); i++) await sleep(50);
}

function collection(name: string): string {
  const path = join(folder, `${name}.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  device.beforeUpload();
  device.close();
  return path;
}

test.after(() => rmSync(folder, { recursive: true, force: true }));

test(
  'full, normal and media sync over HTTPS; the chain comes from the certificate file; TLS 1.2 and 1.3 both work',
  { timeout: 60_000 },
  async (t) => {
    const server = await httpsServer(ca.issue('chain', { ...localhost, viaIntermediate: true }));
    t.after(() => server.close());
    assert.match(server.baseUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.server.status.scheme, 'https');

    // The client trusts only the root: the handshake succeeds only if the intermediate is served too.
    const tls12 = await handshake(server.port, { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2', 'iOS needs TLS 1.2 (the Anki manual, error -9836)');
    assert.equal((await handshake(server.port)).protocol, 'TLSv1.3');
    assert.equal(tls12.cert.subject.CN, 'localhost');

    const client = new V11Client(server.baseUrl);
    const hostKey = await client.login('user', 'pass');
    const path = collection('over-https');
    assert.equal(await client.fullUpload(path), 'OK');
    const device = new TestDevice(path);
    t.after(() => device.close());
    device.addNote({ fields: ['sent over https', 'back'] });
    const result = await runNormalSync(device.db, {
      call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')),
    });
    assert.equal(result.required.kind, 'normalSync');
    const downloaded = join(folder, 'over-https-downloaded.anki2');
    await new V11Client(server.baseUrl, { hostKey }).fullDownload(downloaded);
    const db = openDatabase(downloaded, { fileMustExist: true });
    try {
      const found = db.prepare("SELECT count() FROM notes WHERE flds LIKE 'sent over https%'").pluck().get();
      assert.equal(found, 1, 'the normal sync over HTTPS reached the server');
    } finally {
      db.close();
    }

    const media = createMediaDevice(v11MediaTransport(server.baseUrl, hostKey), 'ahs-https-media-');
    t.after(() => media.remove());
    media.addFile('over-https.txt', 'media over https');
    await media.sync();
    assert.equal(readFileSync(join(server.paths('user').mediaFolder, 'over-https.txt'), 'utf8'), 'media over https');

    // Plain HTTP to the HTTPS port gets nowhere.
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/health`));
  },
);

test(
  'a certificate renewed during an upload: the upload completes intact, new connections get the new one',
  { timeout: 60_000 },
  async (t) => {
    const first = ca.issue('renew-1', localhost);
    const live: IssuedPair = { certFile: join(folder, 'live.pem'), keyFile: join(folder, 'live.key') };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    const server = await httpsServer(live);
    t.after(() => server.close());
    const before = (await handshake(server.port)).cert.fingerprint256;

    const client = new V11Client(server.baseUrl);
    await client.login('user', 'pass');
    const path = collection('renewal');
    const device = new TestDevice(path);
    device.addNote({ fields: [randomBytes(1024 * 1024).toString('base64'), 'big'] });
    device.close();
    const body = new Compressor().compress(readFileSync(path));
    const pieces = 20;
    const size = Math.ceil(body.length / pieces);
    let sent = 0;
    let renewedAt = -1;
    const upload = postRaw(
      client.url('sync', 'upload'),
      { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: client.sessionKey }) },
      Readable.from(
        (async function* () {
          for (let at = 0; at < body.length; at += size) {
            if (at >= body.length / 2 && renewedAt < 0) {
              // Half-way: the renewal tool writes a new pair over the files, as `tailscale cert` does (write, then rename).
              const next = ca.issue('renew-2', localhost);
              writeFileSync(`${live.keyFile}.tmp`, readFileSync(next.keyFile));
              renameSync(`${live.keyFile}.tmp`, live.keyFile);
              writeFileSync(`${live.certFile}.tmp`, readFileSync(next.certFile));
              renameSync(`${live.certFile}.tmp`, live.certFile);
              await certificateEvent(server);
              renewedAt = sent;
            }
            yield body.subarray(at, at + size);
            sent += size;
            await sleep(20);
          }
        })(),
      ),
    );
    const response = await upload;
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    assert.equal(response.statusCode, 200);
    assert.ok(renewedAt > 0 && renewedAt < body.length, 'the renewal happened while the upload was under way');
    const renewal = server.events.find((e) => e.kind === 'certificate');
    assert.match(renewal?.detail ?? '', /renewed; it is valid until .* Syncs in progress were not interrupted/);
    assert.equal(renewal?.failed, undefined);

    const after = (await handshake(server.port)).cert.fingerprint256;
    assert.notEqual(after, before, 'new connections get the renewed certificate');
    const downloaded = join(folder, 'renewal-downloaded.anki2');
    await new V11Client(server.baseUrl, { hostKey: client.hostKey }).fullDownload(downloaded);
    const db = openDatabase(downloaded, { fileMustExist: true });
    try {
      assert.equal(db.prepare("SELECT count() FROM notes WHERE flds LIKE '%big'").pluck().get(), 1, 'the upload landed whole');
    } finally {
      db.close();
    }
  },
);

test('a renewal to a pair that does not match keeps the old certificate, and says so', { timeout: 30_000 }, async (t) => {
  const good = ca.issue('keep-1', localhost);
  const other = ca.issue('keep-2', localhost);
  const live: IssuedPair = { certFile: join(folder, 'keep-live.pem'), keyFile: join(folder, 'keep-live.key') };
  copyFileSync(good.certFile, live.certFile);
  copyFileSync(good.keyFile, live.keyFile);
  const server = await httpsServer(live);
  t.after(() => server.close());
  const before = (await handshake(server.port)).cert.fingerprint256;
  copyFileSync(other.keyFile, live.keyFile); // the key changed; the certificate did not
  await certificateEvent(server);
  const event = server.events.find((e) => e.kind === 'certificate');
  assert.equal(event?.failed, true);
  assert.match(event?.detail ?? '', /the old one stays in use\. The key in .*keep-live\.key does not belong to the certificate/);
  assert.equal((await handshake(server.port)).cert.fingerprint256, before);
  assert.equal(await new V11Client(server.baseUrl).login('user', 'pass').then(() => 'ok'), 'ok', 'syncing carries on');
});

test('a mismatched pair, a file that is not PEM, or one that cannot be read: the server does not start, and says why', async () => {
  const a = ca.issue('mismatch-a', localhost);
  const b = ca.issue('mismatch-b', localhost);
  const notPem = join(folder, 'not-pem.pem');
  writeFileSync(notPem, 'this is not a certificate\n');
  const cases: [IssuedPair, RegExp][] = [
    [{ certFile: a.certFile, keyFile: b.keyFile }, /The key in .*mismatch-b\.key does not belong to the certificate in .*mismatch-a\.pem/],
    [{ certFile: notPem, keyFile: a.keyFile }, /not-pem\.pem is not a PEM certificate/],
    [{ certFile: a.certFile, keyFile: a.certFile }, /holds a certificate, not a private key/],
    [{ certFile: join(folder, 'missing.pem'), keyFile: a.keyFile }, /Couldn't read the certificate file .*missing\.pem: it does not exist/],
  ];
  for (const [pair, message] of cases) {
    await assert.rejects(
      startTestServer({ config: { tls: pair } }),
      (error: unknown) => error instanceof ServerStartError && message.test(error.message),
    );
  }
});

test('an expired certificate, and one that expires soon: the server warns in the log and the activity list', async (t) => {
  const expired = await httpsServer(ca.issue('expired', { ...localhost, days: 0 }));
  t.after(() => expired.close());
  const warning = expired.server.certificate()?.warning ?? '';
  assert.match(warning, /The HTTPS certificate expired on \d{4}-\d\d-\d\d\. Devices will refuse to sync until it is renewed/);
  assert.ok(expired.events.some((e) => e.kind === 'certificate' && e.detail === warning));
  // Which is what devices do: the expired certificate is refused.
  await assert.rejects(new V11Client(expired.baseUrl).login('user', 'pass'), /expired/i);

  const soon = await httpsServer(ca.issue('soon', { ...localhost, days: 7 }));
  t.after(() => soon.close());
  assert.match(soon.server.certificate()?.warning ?? '', /expires on \d{4}-\d\d-\d\d, in [67] days\. Renew it before then/);
  const fine = await httpsServer(ca.issue('fine', { ...localhost, days: 30 }));
  t.after(() => fine.close());
  assert.equal(fine.server.certificate()?.warning, null);
  assert.deepEqual(fine.server.certificate()?.dnsNames, ['localhost']);
  assert.deepEqual(fine.server.certificate()?.ipAddresses, ['127.0.0.1']);
});
