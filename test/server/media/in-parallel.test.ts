import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapInParallel } from '../../../src-main/server/media/in-parallel.js';

test('results come back in the items’ order, with never more than the limit running', async () => {
  let running = 0;
  let most = 0;
  const delays = [30, 5, 20, 1, 15, 2, 25, 3, 10, 4];
  const results = await mapInParallel(delays, 3, async (delay, index) => {
    running++;
    most = Math.max(most, running);
    await sleep(delay);
    running--;
    return `${index}:${delay}`;
  });
  assert.deepEqual(
    results,
    delays.map((delay, index) => `${index}:${delay}`),
  );
  assert.equal(most, 3);
});

test('after a failure no new task starts, running ones finish, and the first failure is thrown', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const failure = new Error('item 1 failed');
  await assert.rejects(
    mapInParallel([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await sleep(item === 1 ? 1 : 20);
      if (item === 1) throw failure;
      if (item === 0) throw new Error('a later failure');
      finished.push(item);
    }),
    (error) => error === failure,
  );
  // 1 fails while 0 is still running: 0 is waited for, and nothing after 1 starts.
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(finished, []);
});

test('an empty list resolves at once', async () => {
  assert.deepEqual(await mapInParallel([], 4, async () => 1), []);
});
