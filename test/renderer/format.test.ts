import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCount, timeAgo } from '../../src-renderer/format.js';

test('sizes, counts and times read naturally', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(250 * 1024 * 1024), '250 MB');
  assert.equal(formatCount(1, 'note', 'notes'), '1 note');
  assert.equal(formatCount(12345, 'card', 'cards'), '12,345 cards');
  const now = 1_700_000_000_000;
  assert.equal(timeAgo(now - 5_000, now), 'just now');
  assert.equal(timeAgo(now - 2 * 60_000, now), '2 minutes ago');
  assert.equal(timeAgo(now - 3 * 3_600_000, now), '3 hours ago');
  assert.equal(timeAgo(now - 26 * 3_600_000, now), 'yesterday');
});

test('a sync in progress reads as one line, with a bar when its end is known', async () => {
  const { describeSync } = await import('../../src-renderer/format.js');
  const MB = 1024 * 1024;
  const base = { username: 'alice', clientIp: '192.168.1.31' };
  assert.deepEqual(describeSync({ ...base, kind: 'full-upload', step: 'upload', done: 45 * MB, total: 120 * MB }), {
    text: 'alice: full upload from 192.168.1.31, 45 of 120 MB',
    fraction: 0.375,
  });
  assert.deepEqual(describeSync({ ...base, kind: 'full-upload', step: 'upload', done: 3 * MB, total: null }), {
    text: 'alice: full upload from 192.168.1.31, 3.0 MB so far',
    fraction: null,
  });
  assert.equal(
    describeSync({ ...base, kind: 'full-download', step: 'download', done: 512 * 1024, total: 2 * MB }).text,
    'alice: full download to 192.168.1.31, 0.5 of 2.0 MB',
  );
  assert.equal(
    describeSync({ ...base, kind: 'normal-sync', step: 'applyChunk', done: 0, total: null }).text,
    'alice: syncing from 192.168.1.31: sending cards and notes',
  );
  assert.equal(
    describeSync({ ...base, kind: 'media-sync', step: 'uploadChanges', done: 1, total: null }).text,
    'alice: media sync from 192.168.1.31, 1 file so far',
  );
});
