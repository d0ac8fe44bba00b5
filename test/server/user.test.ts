// The User class (src-main/server/user.ts) on real files: its lock serialises
// one account's work, and an account that left the server opens nothing again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { AuthFailedError } from '../../src-main/server/errors.js';
import { newUser } from '../support/temp-user.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("one user's work under its lock never interleaves, and runs in the order it came", async () => {
  const user = newUser();
  const steps: string[] = [];
  const work = (name: string) => async (): Promise<string> => {
    steps.push(`${name} in`);
    await tick();
    await tick();
    steps.push(`${name} out`);
    return name;
  };
  const results = await Promise.all([user.withLock(work('a')), user.withLock(work('b')), user.withLock(work('c'))]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.deepEqual(steps, ['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  // A failed holder releases the lock too.
  await assert.rejects(
    user.withLock(async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await user.withLock(async () => 'after'), 'after');
});

test('work still waiting when the user is retired is refused, and no collection is created', async () => {
  const user = newUser();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const holding = user.withLock(() => gate);
  const waiting = user.withLock(async () => user.withCollection(() => 'opened'));
  const retiring = user.withLock(async () => user.retire());
  release();
  await holding;
  // `waiting` came before the retirement, so it still runs; what comes after is refused.
  assert.equal(await waiting, 'opened');
  await retiring;
  assert.ok(existsSync(user.paths.collection));
  const after = newUser();
  await after.withLock(async () => after.retire());
  await assert.rejects(
    after.withLock(async () => after.withCollection(() => 'opened')),
    (error: unknown) => error instanceof AuthFailedError,
  );
  assert.equal(existsSync(after.paths.collection), false);
});

test('the collection opens once and reopens after its files are closed', async () => {
  const user = newUser();
  const first = user.withCollection((db) => db);
  assert.equal(
    user.withCollection((db) => db),
    first,
  );
  user.closeFiles();
  assert.equal(first.open, false);
  const second = user.withCollection((db) => db);
  assert.notEqual(second, first);
  assert.equal(second.open, true);
  user.closeFiles();
});
