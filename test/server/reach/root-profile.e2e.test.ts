// The home root as an iOS profile, served by the running server at
// /home-root.mobileconfig so that an iPhone opens it in Safari (issue 25 §2):
// over HTTP and HTTPS it is a profile whose certificate is the root, byte for
// byte; without a home authority the path is a 404 like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { ensureHomeCertificate, rootCertificatePem } from '../../../src-main/server/reach/home-authority.js';
import { startTestServer } from '../../support/test-server.js';
import { httpRequest } from '../../support/http-raw.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { createTestAuthority } from '../../support/test-ca.js';

const folder = makeTempFolder('ahs-root-profile-');
test.after(() => rmSync(folder, { recursive: true, force: true }));

/** The certificate inside a .mobileconfig: its one com.apple.security.root payload's data, DER. */
function certificateIn(profile: string): Buffer {
  assert.match(profile, /<key>PayloadType<\/key>\s*<string>com\.apple\.security\.root<\/string>/);
  const data = /<data>([^<]+)<\/data>/.exec(profile);
  assert.ok(data !== null, 'the profile holds a certificate');
  assert.equal(profile.match(/<data>/g)?.length, 1, 'and nothing else');
  return Buffer.from(data[1]!.replace(/\s/g, ''), 'base64');
}

function httpsGet(
  port: number,
  path: string,
  ca: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername: 'localhost', path, method, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('over HTTP: the profile of the home root, as a download Safari hands to Settings', async (t) => {
  const authority = join(folder, 'http');
  ensureHomeCertificate(authority, ['desk.local', '192.168.1.20']);
  const server = await startTestServer({ config: { homeAuthorityFolder: authority } });
  t.after(() => server.close());
  const reply = await httpRequest(`${server.baseUrl}home-root.mobileconfig`, { method: 'GET' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/x-apple-aspen-config');
  assert.match(String(reply.headers['content-disposition']), /^attachment; filename="anki-home-sync-root\.mobileconfig"$/);
  assert.equal(reply.headers['cache-control'], 'no-store');
  const profile = reply.body.toString('utf8');
  assert.deepEqual(certificateIn(profile), new X509Certificate(rootCertificatePem(authority)).raw, 'the root, byte for byte');
  assert.doesNotMatch(profile, /PRIVATE KEY/);

  const head = await httpRequest(`${server.baseUrl}home-root.mobileconfig`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(reply.body.length));
  const post = await httpRequest(`${server.baseUrl}home-root.mobileconfig`, { method: 'POST', body: Buffer.from('x') });
  assert.equal(post.status, 405);
  assert.equal(post.body.length, 0);
});

test("over HTTPS with the home pair: the authority is the served pair's own, with nothing to configure", async (t) => {
  const authority = join(folder, 'https');
  const { files } = ensureHomeCertificate(authority, ['localhost', '127.0.0.1']);
  const server = await startTestServer({ config: { tls: { certFile: files.serverCert, keyFile: files.serverKey } } });
  t.after(() => server.close());
  const root = readFileSync(files.rootCert, 'utf8');
  const reply = await httpsGet(server.port, '/home-root.mobileconfig', root);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/x-apple-aspen-config');
  assert.deepEqual(certificateIn(reply.body), new X509Certificate(root).raw);
});

test("no home authority: a 404 with no body, over HTTP, over someone else's HTTPS pair, and for a folder without a root", async (t) => {
  const plain = await startTestServer();
  t.after(() => plain.close());
  const none = await httpRequest(`${plain.baseUrl}home-root.mobileconfig`, { method: 'GET' });
  assert.deepEqual([none.status, none.body.length], [404, 0]);

  const empty = await startTestServer({ config: { homeAuthorityFolder: makeTempFolder('ahs-no-root-', folder) } });
  t.after(() => empty.close());
  assert.equal((await httpRequest(`${empty.baseUrl}home-root.mobileconfig`, { method: 'GET' })).status, 404);

  const ca = createTestAuthority(makeTempFolder('ahs-other-ca-', folder));
  const other = await startTestServer({
    config: { tls: ca.issue('other', { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 30 }) },
  });
  t.after(() => other.close());
  const reply = await httpsGet(other.port, '/home-root.mobileconfig', ca.rootPem.toString());
  assert.deepEqual([reply.status, reply.body.length], [404, 0], 'a pair made elsewhere (Tailscale, ACME) has no root here to offer');
});
