// Issue 10, item 11: the window's navigation guard and the IPC sender check
// accept our own origin only, not a look-alike that shares its prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppUrl } from '../../src-main/shared/app-origin.js';

test('our own pages are ours', () => {
  assert.equal(isAppUrl('app://home-sync/index.html'), true);
  assert.equal(isAppUrl('app://home-sync/'), true);
});

test('look-alikes, other schemes and garbage are not (a prefix check let the first two through)', () => {
  for (const url of [
    'app://home-sync.evil.example/index.html',
    'app://home-syncevil/',
    'app://home-sync@evil.example/',
    'app://evil@home-sync/',
    'https://home-sync/',
    'file:///home-sync/index.html',
    'not a url',
    '',
    undefined,
  ]) {
    assert.equal(isAppUrl(url), false, String(url));
  }
});
