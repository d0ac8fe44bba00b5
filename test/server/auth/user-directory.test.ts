import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserDirectory } from '../../../src-main/server/auth/user-directory.js';
import { passwordMatches, type PreparedSecret } from '../../../src-main/server/auth/password.js';
import { plainUser } from '../../support/test-server.js';

function countingDirectory(): { directory: UserDirectory; verified: PreparedSecret[] } {
  const verified: PreparedSecret[] = [];
  const directory = new UserDirectory([plainUser('alice', 'a'), plainUser('bob', 'b')], async (secret, password) => {
    verified.push(secret);
    return passwordMatches(secret, password);
  });
  return { directory, verified };
}

test('an unknown name costs exactly one password verification, like a wrong password', async () => {
  const unknown = countingDirectory();
  assert.equal(await unknown.directory.login('carol', 'b'), null);
  assert.equal(unknown.verified.length, 1);

  const wrong = countingDirectory();
  assert.equal(await wrong.directory.login('bob', 'x'), null);
  assert.equal(wrong.verified.length, 1);

  const right = countingDirectory();
  assert.equal((await right.directory.login('bob', 'b'))?.name, 'bob');
  assert.equal(right.verified.length, 1);
});

test("the decoy verification never lets anyone in with the decoy's password", async () => {
  const { directory } = countingDirectory();
  assert.equal(await directory.login('carol', 'a'), null);
});

test('host keys find their account; anything else finds nothing', () => {
  const { directory } = countingDirectory();
  assert.equal(directory.findByHostKey(plainUser('alice', 'a').hostKey)?.name, 'alice');
  assert.equal(directory.findByHostKey(''), undefined);
});

test('an unknown name is verified against the most expensive configured hash, whichever account comes first', async () => {
  const used: string[] = [];
  const accounts = [
    plainUser('cheap', 'x'),
    {
      name: 'dear',
      secret: {
        kind: 'phc' as const,
        phc: '$pbkdf2-sha256$i=600000$c2FsdHNhbHQ$' + Buffer.alloc(32).toString('base64').replace(/=+$/, ''),
      },
      hostKey: 'k2',
    },
  ];
  const directory = new UserDirectory(accounts, async (secret) => {
    used.push(secret.kind === 'plain' ? 'plain' : secret.parsed.algorithm);
    return false;
  });
  assert.equal(await directory.login('nobody', 'pw'), null);
  assert.deepEqual(used, ['pbkdf2-sha256']);
});
