import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, parsePhc, PhcFormatError, verifyPhc } from '../../../src-main/server/auth/phc.js';

test('the RustCrypto pbkdf2 vector verifies (i=4096, l=40, SHA-256)', async () => {
  const phc =
    '$pbkdf2-sha256$i=4096,l=40$c2FsdFNBTFRzYWx0U0FMVHNhbHRTQUxUc2FsdFNBTFRzYWx0$NIyJ28vTKy8y2BS4EW6EzysXNH68GAAYHE4qH7jdU+HGNVGMfaxH6Q';
  const parsed = parsePhc(phc);
  assert.equal(await verifyPhc(parsed, 'passwordPASSWORDpassword'), true);
  assert.equal(await verifyPhc(parsed, 'passwordPASSWORDpassworD'), false);
});

test('the official server\'s hash of "pass" verifies', async () => {
  const parsed = parsePhc('$pbkdf2-sha256$i=600000,l=32$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc');
  assert.equal(await verifyPhc(parsed, 'pass'), true);
});

test('pbkdf2-sha512 verifies with the digest it names', async () => {
  const { pbkdf2Sync } = await import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const hash = pbkdf2Sync('pw', salt, 1000, 64, 'sha512');
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  const parsed = parsePhc(`$pbkdf2-sha512$i=1000,l=64$${b64(salt)}$${b64(hash)}`);
  assert.equal(await verifyPhc(parsed, 'pw'), true);
  assert.equal(await verifyPhc(parsed, 'pw2'), false);
});

test('malformed PHC strings are refused with a reason', () => {
  const bad = [
    'plain-text-password',
    '$pbkdf2-sha256$i=600000,l=32$tonuvYGpksNFQBlEmm3lxg',
    '$pbkdf2-sha256$i=600000,v=1$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc',
    '$pbkdf2-sha256$i=abc$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc',
    '$pbkdf2-sha256$i=600000,l=16$tonuvYGpksNFQBlEmm3lxg$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc',
    '$pbkdf2-sha256$i=600000$tonuvYGpksNFQBlEmm3lxg==$oQ1sqlkoU7Qn72xNoIq+NHyW3yOOER8EZ6mIJiv5GYc',
    '$argon2id$v=19$m=65536,t=3$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g',
    '$argon2id$v=19$m=65536,t=3,p=4$short$aGFzaGhhc2g',
    '$Bad Id$x',
  ];
  for (const phc of bad) assert.throws(() => parsePhc(phc), PhcFormatError, phc);
});

test('well-formed hashes of algorithms the official server cannot verify load, and never match', async () => {
  const parsed = parsePhc('$pbkdf2$i=1000$c2FsdHNhbHQ$AAAA');
  assert.equal(parsed.algorithm, 'unsupported');
  assert.equal(await verifyPhc(parsed, 'anything'), false);
});

test('hashPassword writes argon2id by default and pbkdf2-sha256 in the official form; each verifies only its password', async () => {
  const argon = await hashPassword('correct horse', 'argon2id');
  assert.match(argon, /^\$argon2id\$v=19\$[mpt]=\d+,[mpt]=\d+,[mpt]=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  const pbkdf2 = await hashPassword('correct horse', 'pbkdf2-sha256');
  // What the official verifier takes: i and l only, a 4–64 character salt, a 32-byte hash, unpadded base64.
  assert.match(pbkdf2, /^\$pbkdf2-sha256\$i=600000,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  for (const phc of [argon, pbkdf2]) {
    const parsed = parsePhc(phc);
    assert.equal(await verifyPhc(parsed, 'correct horse'), true);
    assert.equal(await verifyPhc(parsed, 'correct horse '), false);
  }
  assert.notEqual(await hashPassword('correct horse', 'pbkdf2-sha256'), pbkdf2, 'a new salt each time');
});
