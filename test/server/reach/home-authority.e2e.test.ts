// HTTPS at home without a domain (issue 25 §2): a root of our own, a server
// certificate it signs for every address, and the sync over it by a client that
// trusts that root alone. Renewal in the middle of an upload, a re-issue when an
// address changes, and the root's key never reachable through the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compressor } from 'zstd-napi';
import {
  ensureHomeCertificate,
  homeAuthorityFiles,
  RENEW_BEFORE_DAYS,
  renewIfHomeCertificate,
} from '../../../src-main/server/reach/home-authority.js';
import { appleRootProfile } from '../../../src-main/server/reach/apple-profile.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { postRaw, syncHeaderValue, trustAuthority } from '../../support/v11-transport.js';
import { TestDevice } from '../../support/test-device.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const folder = makeTempFolder('ahs-home-ca-');
test.after(() => {
  trustAuthority(undefined);
  rmSync(folder, { recursive: true, force: true });
});

function collection(name: string, bigNote = false): string {
  const path = join(folder, `${name}.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  if (bigNote) device.addNote({ fields: [randomBytes(1024 * 1024).toString('base64'), 'big'] });
  device.beforeUpload();
  device.close();
  return path;
}

async function homeServer(authority: string): Promise<TestServer> {
  const files = homeAuthorityFiles(authority);
  return startTestServer({
    config: { tls: { certFile: files.serverCert, keyFile: files.serverKey } },
    certificateWatch: { pollMs: 50, settleMs: 150 },
  });
}

/** A TLS handshake that trusts only `root`, for `servername`: whether the server's certificate was accepted. */
function handshake(
  port: number,
  root: Buffer,
  servername: string,
): Promise<{ authorized: boolean; error: string | null; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: root, rejectUnauthorized: false }, () => {
      const result = {
        authorized: socket.authorized,
        error: socket.authorizationError === null ? null : String(socket.authorizationError),
        fingerprint: socket.getPeerCertificate().fingerprint256,
      };
      socket.end();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

async function waitForRenewal(server: TestServer, count: number): Promise<void> {
  for (let i = 0; i < 200 && server.activity.filter((e) => e.kind === 'certificate').length < count; i++) await sleep(50);
}

test('the chain passes openssl verify; keys are 0600; the iOS profile holds the root and no key', () => {
  const authority = join(folder, 'verify');
  const made = ensureHomeCertificate(authority, ['desk.local', '192.168.1.20', 'localhost', '127.0.0.1']);
  assert.equal(made.newRoot, true);
  assert.equal(made.issued, 'new');
  const files = made.files;
  const verify = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', files.rootCert, files.serverCert], {
    encoding: 'utf8',
  });
  assert.equal(verify.stdout.trim(), `${files.serverCert}: OK`, verify.stderr);
  const text = execFileSync('openssl', ['x509', '-in', files.serverCert, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
  assert.match(text, /DNS:desk\.local, IP Address:192\.168\.1\.20, DNS:localhost, IP Address:127\.0\.0\.1/);
  const rootText = execFileSync('openssl', ['x509', '-in', files.rootCert, '-noout', '-ext', 'basicConstraints'], { encoding: 'utf8' });
  assert.match(rootText, /critical\s+CA:TRUE, pathlen:0/);
  assert.equal(statSync(files.rootKey).mode & 0o777, 0o600);
  assert.equal(statSync(files.serverKey).mode & 0o777, 0o600);
  assert.equal(statSync(authority).mode & 0o077, 0, 'the folder made for them is private too');

  const profile = appleRootProfile(readFileSync(files.rootCert, 'utf8'));
  assert.match(profile, /<string>com\.apple\.security\.root<\/string>/);
  assert.doesNotMatch(profile, /PRIVATE KEY/);
  const der = Buffer.from(/<data>\s*([A-Za-z0-9+/=\s]+?)\s*<\/data>/.exec(profile)![1]!.replace(/\s/g, ''), 'base64');
  const derFile = join(folder, 'profile-root.der');
  writeFileSync(derFile, der);
  const fromProfile = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', derFile, '-noout', '-fingerprint', '-sha256'], {
    encoding: 'utf8',
  });
  const fromPem = execFileSync('openssl', ['x509', '-in', files.rootCert, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  assert.equal(fromProfile, fromPem, 'the profile carries the root itself');
  assert.equal(appleRootProfile(readFileSync(files.rootCert, 'utf8')), profile, 'the same root makes the same profile (same UUIDs)');
});

test('a full upload and download over HTTPS by a client that trusts only the home root', { timeout: 60_000 }, async (t) => {
  const authority = join(folder, 'sync');
  const { files } = ensureHomeCertificate(authority, ['localhost', '127.0.0.1']);
  const server = await homeServer(authority);
  t.after(() => server.close());
  const root = readFileSync(files.rootCert);

  // Without the root, a device refuses the server; with it alone, it accepts it.
  assert.equal((await handshake(server.port, Buffer.from(''), 'localhost')).authorized, false);
  const trusted = await handshake(server.port, root, 'localhost');
  assert.deepEqual([trusted.authorized, trusted.error], [true, null]);

  trustAuthority(root);
  const client = new V11Client(server.baseUrl);
  await client.login('user', 'pass');
  assert.equal(await client.fullUpload(collection('over-home-https')), 'OK');
  const downloaded = join(folder, 'over-home-https-downloaded.anki2');
  await new V11Client(server.baseUrl, { hostKey: client.hostKey }).fullDownload(downloaded);
  const db = openDatabase(downloaded, { fileMustExist: true });
  try {
    assert.equal(db.prepare('SELECT count() FROM notes').pluck().get(), 16);
  } finally {
    db.close();
  }
});

test(
  'renewal in the middle of an upload: the upload completes, new connections get the renewed certificate',
  { timeout: 60_000 },
  async (t) => {
    const authority = join(folder, 'renew');
    // Issued long enough ago that its renewal is due by now.
    const { files } = ensureHomeCertificate(authority, ['localhost', '127.0.0.1'], {
      now: Date.now() - (397 - RENEW_BEFORE_DAYS + 1) * DAY_MS,
    });
    const server = await homeServer(authority);
    t.after(() => server.close());
    const root = readFileSync(files.rootCert);
    trustAuthority(root);
    const before = (await handshake(server.port, root, 'localhost')).fingerprint;

    const client = new V11Client(server.baseUrl);
    await client.login('user', 'pass');
    const body = new Compressor().compress(readFileSync(collection('renewal', true)));
    const size = Math.ceil(body.length / 20);
    let renewed: ReturnType<typeof ensureHomeCertificate> | null = null;
    const response = await postRaw(
      client.url('sync', 'upload'),
      { 'anki-sync': syncHeaderValue({ k: client.hostKey, s: client.sessionKey }) },
      Readable.from(
        (async function* () {
          for (let at = 0; at < body.length; at += size) {
            if (at >= body.length / 2 && renewed === null) {
              // Half-way, the app's renewal check runs (as it does every few hours).
              renewed = ensureHomeCertificate(authority, ['localhost', '127.0.0.1']);
              await waitForRenewal(server, 1);
            }
            yield body.subarray(at, at + size);
            await sleep(20);
          }
        })(),
      ),
    );
    for await (const _ of response) void _;
    assert.equal(response.statusCode, 200);
    assert.equal(renewed!.issued, 'expiring');
    assert.equal(renewed!.newRoot, false, 'the root stays: devices need nothing new');
    assert.match(server.activity.find((e) => e.kind === 'certificate')?.detail ?? '', /renewed/);
    const after = await handshake(server.port, root, 'localhost');
    assert.equal(after.authorized, true);
    assert.notEqual(after.fingerprint, before);
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

test(
  'a changed address: the certificate is re-issued for it, under the same root, and served without a restart',
  { timeout: 30_000 },
  async (t) => {
    const authority = join(folder, 'address');
    const first = ensureHomeCertificate(authority, ['localhost', '127.0.0.1', 'desk.local']);
    const server = await homeServer(authority);
    t.after(() => server.close());
    const root = readFileSync(first.files.rootCert);
    assert.equal(ensureHomeCertificate(authority, ['desk.local', 'localhost', '127.0.0.1']).issued, null, 'the same names: nothing to do');
    assert.equal((await handshake(server.port, root, 'desk-2.local')).authorized, false);

    // The computer was renamed (or DHCP gave it another address): the new name is asked for.
    const again = ensureHomeCertificate(authority, ['localhost', '127.0.0.1', 'desk-2.local']);
    assert.equal(again.issued, 'names-changed');
    assert.equal(again.newRoot, false);
    assert.deepEqual(readFileSync(first.files.rootCert), root, 'the root is untouched');
    await waitForRenewal(server, 1);
    const served = await handshake(server.port, root, 'desk-2.local');
    assert.deepEqual([served.authorized, served.error], [true, null]);
    assert.equal(server.server.certificate()?.dnsNames.includes('desk-2.local'), true);
  },
);

test(
  "the root's key is never readable through the server, whatever the path; the iPhone profile route carries the root only",
  { timeout: 30_000 },
  async (t) => {
    // The authority inside SYNC_BASE, the worst place it could be: still nothing serves it.
    const server0 = await startTestServer();
    const base = server0.baseFolder;
    await server0.server.stop();
    const authority = join(base, 'home-ca');
    const { files } = ensureHomeCertificate(authority, ['localhost', '127.0.0.1']);
    const server = await startTestServer({ config: { baseFolder: base, tls: { certFile: files.serverCert, keyFile: files.serverKey } } });
    t.after(() => server.close());
    const root = readFileSync(files.rootCert);
    const key = readFileSync(files.rootKey, 'utf8');
    const paths = [
      '/ca.key',
      '/home-ca/ca.key',
      '/../home-ca/ca.key',
      '/sync/../home-ca/ca.key',
      '/sync/..%2f..%2fhome-ca%2fca.key',
      '/%2e%2e/%2e%2e/home-ca/ca.key',
      '/msync/../../home-ca/server.key',
      '/ca.pem',
      '//home-ca/ca.key',
      '/home-root.mobileconfig/../ca.key',
      '/home-root.mobileconfig?file=ca.key',
      '/home-root.mobileconfig',
    ];
    const keyBase64 = key.replace(/-----[^-]+-----|\s/g, '');
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'HEAD']) {
        const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port: server.port, servername: 'localhost', path, method, ca: root }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          });
          req.on('error', reject);
          req.end();
        });
        if (/^\/home-root\.mobileconfig(\?|$)/.test(path) && method !== 'POST') {
          // The one public file: the root certificate as an iOS profile (the query is no part of the path).
          assert.equal(reply.status, 200, `${method} ${path}`);
        } else {
          assert.ok(reply.status >= 400, `${method} ${path} answered ${reply.status}`);
        }
        assert.doesNotMatch(reply.body, /PRIVATE KEY|BEGIN CERTIFICATE/, `${method} ${path}`);
        assert.ok(!reply.body.includes(key.slice(40, 100)));
        const flat = reply.body.replace(/\s/g, '');
        for (let at = 0; at + 48 <= keyBase64.length; at += 48) {
          assert.ok(!flat.includes(keyBase64.slice(at, at + 48)), `${method} ${path}: no part of the key, however wrapped`);
        }
      }
    }
  },
);

test('headless renewal: a pair made by "certificate make" is renewed before its end for its names; anyone else\'s pair is left alone', () => {
  const authority = join(folder, 'headless');
  const { files } = ensureHomeCertificate(authority, ['anki-home.local', '192.168.1.20']);
  const tls = { certFile: files.serverCert, keyFile: files.serverKey };
  assert.equal(renewIfHomeCertificate(tls, ['anki-home.local', '192.168.1.20']), null, 'far from its end: nothing to do');
  assert.equal(renewIfHomeCertificate(tls, ['anki-home.local', '192.168.1.20'], Date.now() + 340 * DAY_MS), 'expiring');
  const elsewhere = join(folder, 'someone-else');
  ensureHomeCertificate(elsewhere, ['localhost']);
  const before = readFileSync(join(elsewhere, 'server.pem'));
  assert.equal(
    renewIfHomeCertificate(
      { certFile: join(elsewhere, 'server.pem'), keyFile: join(elsewhere, 'other.key') },
      ['localhost'],
      Date.now() + 340 * DAY_MS,
    ),
    null,
  );
  assert.deepEqual(readFileSync(join(elsewhere, 'server.pem')), before, 'a pair under other names than ours is not touched');
});
