import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, plainUser, type TestServer } from '../../support/test-server.js';
import { V11Client } from '../../support/v11-client.js';
import { SyncHttpError } from '../../support/v11-transport.js';
import type { UserAccount } from '../../../src-main/server/config/config.js';
import { deriveHostKey } from '../../../src-main/server/auth/host-key.js';

function phcUser(name: string, phc: string): UserAccount {
  return { name, secret: { kind: 'phc', phc }, hostKey: deriveHostKey(`${name}:${phc}`) };
}

// The Anki-style hash of "pass" (docs/protocol/transport-auth-media.md §2.3) and an argon2id hash of "secret".
const PBKDF2_PASS = '$pbkdf2-sha256$i=600000,l=32$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc';

let server: TestServer;
let argonPhc: string;

before(async () => {
  const argon2 = (await import('argon2')).default;
  argonPhc = await argon2.hash('secret', { type: argon2.argon2id, memoryCost: 8192, timeCost: 2, parallelism: 1 });
  server = await startTestServer({
    users: [
      plainUser('user', 'pass'),
      phcUser('hashed', PBKDF2_PASS),
      phcUser('argon', argonPhc),
      phcUser('sha1', '$pbkdf2$i=1000$c2FsdHNhbHQ$AAAA'),
    ],
  });
});
after(() => server.close());

async function loginStatus(username: string, password: string): Promise<number> {
  try {
    await new V11Client(server.baseUrl).login(username, password);
    return 200;
  } catch (error) {
    assert.ok(error instanceof SyncHttpError, String(error));
    return error.status;
  }
}

test('the right password returns the official host key (sha1 of the whole SYNC_USER value)', async () => {
  const key = await new V11Client(server.baseUrl).login('user', 'pass');
  assert.equal(key, 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
  assert.ok(server.activity.some((event) => event.kind === 'login' && event.username === 'user'));
});

test('a wrong password and an unknown user both get 403', async () => {
  assert.equal(await loginStatus('user', 'wrong'), 403);
  assert.equal(await loginStatus('nobody', 'pass'), 403);
  assert.equal(await loginStatus('USER', 'pass'), 403, 'names are case-sensitive');
  assert.ok(server.activity.some((event) => event.kind === 'login-failed' && event.username === 'nobody'));
});

test('PHC hashes: pbkdf2-sha256 and argon2id verify; a pbkdf2 (SHA-1) hash never does, as officially', async () => {
  assert.equal(await loginStatus('hashed', 'pass'), 200);
  assert.equal(await loginStatus('hashed', 'pass2'), 403);
  assert.equal(await loginStatus('argon', 'secret'), 200);
  assert.equal(await loginStatus('argon', 'Secret'), 403);
  assert.equal(await loginStatus('sha1', 'anything'), 403);
});

test('a login body that is not {u, p} strings is a 400', async () => {
  const client = new V11Client(server.baseUrl);
  for (const payload of ['{"u":"user"}', '{"u":1,"p":"pass"}', 'not json', '[]']) {
    await assert.rejects(
      client.raw('sync', 'hostKey', payload),
      (error: unknown) => error instanceof SyncHttpError && error.status === 400,
    );
  }
});

test('every other method needs a known host key: 403 otherwise, for every method', async () => {
  const stranger = new V11Client(server.baseUrl, { hostKey: 'f'.repeat(40) });
  for (const method of ['meta', 'upload', 'download', 'abort']) {
    await assert.rejects(
      stranger.raw('sync', method, '{}'),
      (error: unknown) => error instanceof SyncHttpError && error.status === 403,
      method,
    );
  }
});

test('a login payload far bigger than {u, p} is refused without being kept', async () => {
  const client = new V11Client(server.baseUrl);
  const huge = JSON.stringify({ u: 'user', p: 'x'.repeat(200_000) });
  await assert.rejects(client.raw('sync', 'hostKey', huge), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
  assert.equal(await new V11Client(server.baseUrl).login('user', 'pass'), 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
});
