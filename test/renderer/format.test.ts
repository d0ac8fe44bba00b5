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
