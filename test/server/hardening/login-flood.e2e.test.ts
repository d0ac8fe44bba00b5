// Issue 10, item 9: a flood of wrong logins against one argon2id account
// (what the app stores) from one address. The real user, from another
// address, still gets in with the right password, never with a 403; the
// flood is mostly turned away unchecked (429) and the activity list keeps a
// handful of its entries, not hundreds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { startTestServer } from '../../support/test-server.js';
import { ATTACKER, loginFrom, withDeadline } from '../../support/attacks.js';
import { V11Client } from '../../support/v11-client.js';
import { deriveHostKey } from '../../../src-main/server/auth/host-key.js';
import type { UserAccount } from '../../../src-main/server/config/config.js';

async function argonUser(name: string, password: string): Promise<UserAccount> {
  const phc = await argon2.hash(password, { type: argon2.argon2id });
  return { name, secret: { kind: 'phc', phc }, hostKey: deriveHostKey(`${name}:${phc}`) };
}

test('400 concurrent wrong logins from one address: the right password from another still gets in, and the flood is mostly refused unchecked', async () => {
  const alice = await argonUser('alice', 'the right one');
  // The real delays: the flood's 403s are held back 0.5 s, 1 s, 2 s … per address and per account.
  const server = await startTestServer({ users: [alice], loginThrottle: {}, config: { limits: { maxConnectionsPerIp: 500 } } });
  try {
    const flood = Array.from({ length: 400 }, (_, i) => loginFrom(server.port, 'alice', `guess ${i}`, ATTACKER));
    const real = await withDeadline(loginFrom(server.port, 'alice', 'the right one', '127.0.0.1'), 'the real login');
    assert.equal(real, 200);
    const statuses = await withDeadline(Promise.all(flood), 'the flood is answered', 60_000);
    const count = (status: number): number => statuses.filter((s) => s === status).length;
    assert.equal(count(200), 0);
    assert.equal(count(403) + count(429) + count(503), 400, statuses.join(','));
    assert.ok(count(403) <= 8, `${count(403)} guesses were checked`);
    // The real user's client works on, and so does another login of alice's after the flood.
    assert.match(await new V11Client(server.baseUrl).login('alice', 'the right one'), /^[0-9a-f]{40}$/);
    const failed = server.activity.filter((event) => event.kind === 'login-failed');
    assert.ok(failed.length <= 10, `${failed.length} failed-login entries`);
    await server.server.stop();
    const summary = server.activity.find((event) => event.kind === 'login-failed' && event.count !== undefined);
    assert.ok(summary !== undefined && summary.count! > 0, 'the rest are summed up in one entry');
  } finally {
    await server.close();
  }
});
