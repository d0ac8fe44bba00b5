import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameName, validatePassword, validateUserName } from '../../src-main/controller/user-names.js';
import { AppError } from '../../src-main/controller/errors.js';

function refused(run: () => unknown, code: string): void {
  assert.throws(run, (error: unknown) => error instanceof AppError && error.code === code && !/\n\s+at /.test(error.message));
}

test('plain names are accepted, trimmed and NFC-normalised', () => {
  assert.equal(validateUserName('alice'), 'alice');
  assert.equal(validateUserName('  Zoë Smith '), 'Zoë Smith');
  assert.equal(validateUserName('Zoe\u0308'), 'Zoë');
});

test('names that are not safe folder names are refused with a sentence', () => {
  for (const bad of ['', '   ', '..', 'a/b', 'a\\b', 'con', 'CON.txt', 'x:y', 'trailing.', 'a\u0000b', 'x'.repeat(33)]) {
    refused(() => validateUserName(bad), 'bad-name');
  }
});

test('names that share a folder on Windows or macOS count as the same', () => {
  assert.ok(sameName('Alice', 'alice'));
  assert.ok(sameName('Zoë', 'Zoe\u0308'));
  assert.ok(!sameName('alice', 'alicia'));
});

test('passwords: empty and padded with spaces are refused', () => {
  assert.equal(validatePassword('correct horse'), 'correct horse');
  refused(() => validatePassword(''), 'bad-password');
  refused(() => validatePassword(' secret'), 'bad-password');
});
