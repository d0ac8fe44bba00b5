import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  invalidNewMediaFilenameReason,
  mediaFilePath,
  unsafeMediaFilenameReason,
} from '../../../src-main/server/storage/media-file-path.js';
import { BadRequestError } from '../../../src-main/server/errors.js';

test('names real clients produce are accepted', () => {
  for (const name of [
    'a..b.jpg',
    '日本語 ✓.png',
    'name with spaces.mp3',
    'üñïçødé.ogg',
    'con_.jpg',
    'CONSOLE.png',
    'COM10.wav',
    "it's (1).jpg",
    '.hidden_',
  ]) {
    assert.equal(invalidNewMediaFilenameReason(name), null, name);
  }
  assert.equal(invalidNewMediaFilenameReason('x'.repeat(255)), null);
  assert.equal(invalidNewMediaFilenameReason('é'.repeat(127)), null); // 254 bytes
});

test('hostile names are refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['.', /not a file name/],
    ['..', /not a file name/],
    ['../x.jpg', /separator/],
    ['/etc/passwd', /separator/],
    ['a\\b.jpg', /separator/],
    ['C:\\Windows\\x', /separator/],
    ['a\u0000b.jpg', /NUL/],
    ['tab\there.jpg', /control/],
    ['del\u007f.jpg', /control/],
    ['CON', /device/],
    ['aux.jpg', /device/],
    ['Nul.tar.gz', /device/],
    ['lpt1', /device/],
    ['com9.mp3', /device/],
    ['x'.repeat(256), /255 bytes/],
    ['é'.repeat(128), /255 bytes/], // 256 bytes in UTF-8
    ['e\u0301.jpg', /NFC/],
    ['\ud800.jpg', /Unicode/],
  ];
  for (const [name, reason] of cases) {
    assert.match(invalidNewMediaFilenameReason(name) ?? 'accepted', reason, JSON.stringify(name));
  }
});

test('Windows-only hazards are refused when running on Windows', () => {
  assert.equal(unsafeMediaFilenameReason('a:b.jpg', 'linux'), null);
  assert.match(unsafeMediaFilenameReason('a:b.jpg', 'win32') ?? '', /Windows/);
  assert.match(unsafeMediaFilenameReason('trailing.', 'win32') ?? '', /Windows/);
  assert.match(unsafeMediaFilenameReason('aux.jpg', 'win32') ?? '', /device/);
  assert.equal(unsafeMediaFilenameReason('aux.jpg', 'linux'), null);
});

test('mediaFilePath stays inside the folder or throws a 400', () => {
  assert.equal(mediaFilePath('/srv/u/media', 'a..b.jpg'), join('/srv/u/media', 'a..b.jpg'));
  for (const name of ['..', '../../etc/passwd', '/abs', 'a/b', '']) {
    assert.throws(
      () => mediaFilePath('/srv/u/media', name),
      (error: unknown) => error instanceof BadRequestError,
    );
  }
});
