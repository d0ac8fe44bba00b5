// The one throttle of what the server reports (report/throttle.ts): N per
// window, and once per key per window with the keys remembered bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OncePerKey, WindowQuota } from '../../../src-main/server/report/throttle.js';

test('a window lets perWindow through, then none until it ends; its end is told and starts afresh', () => {
  let ends = 0;
  const quota = new WindowQuota(2, 60_000, () => ends++);
  assert.deepEqual([quota.take(), quota.take(), quota.take()], [true, true, false]);
  quota.flush();
  assert.equal(ends, 1);
  assert.deepEqual([quota.take(), quota.take(), quota.take()], [true, true, false]);
  quota.flush();
});

test('a key passes once per window, first and then again; the least recently passed key is forgotten first', () => {
  const once = new OncePerKey(1_000, 2);
  assert.equal(once.pass('a', 0), 'first');
  assert.equal(once.pass('a', 999), null);
  assert.equal(once.pass('a', 1_000), 'again');
  assert.equal(once.pass('b', 1_000), 'first');
  assert.equal(once.pass('c', 1_000), 'first', 'a third key: the oldest, a, is forgotten');
  assert.equal(once.pass('b', 1_500), null, 'b is still remembered');
  assert.equal(once.pass('a', 1_500), 'first', 'a was forgotten, so it passes as new');
});
