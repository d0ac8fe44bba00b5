// The login throttle on its own: limits per address, the bounded queue, the
// growing delay of failures, and that success is never delayed or refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, type LoginThrottleOptions } from '../../../src-main/server/auth/login-throttle.js';
import { ServiceBusyError, TooManyRequestsError } from '../../../src-main/server/errors.js';

const fast: LoginThrottleOptions = {
  concurrency: 2,
  maxQueued: 3,
  maxPerAddress: 4,
  baseDelayMs: 5,
  maxDelayMs: 40,
  forgetAfterMs: 60_000,
  maxRemembered: 3,
};

/** A verification that waits until released. */
function gate(): { verify: () => Promise<boolean>; open(answer: boolean): void; started: number } {
  const waiting: ((answer: boolean) => void)[] = [];
  const handle = {
    started: 0,
    verify: () =>
      new Promise<boolean>((resolve) => {
        handle.started++;
        waiting.push(resolve);
      }),
    open: (answer: boolean) => {
      for (const resolve of waiting.splice(0)) resolve(answer);
    },
  };
  return handle;
}

test('one address may have only maxPerAddress logins in progress; the next is a 429 before anything is verified', async () => {
  const throttle = new LoginThrottle(fast);
  const g = gate();
  const held = Array.from({ length: 4 }, () => throttle.check({ address: 'a', account: null }, g.verify));
  await assert.rejects(throttle.check({ address: 'a', account: null }, g.verify), (error) => error instanceof TooManyRequestsError);
  // Another address is not affected by it.
  const other = throttle.check({ address: 'b', account: null }, async () => true);
  assert.equal(g.started, 2, 'two verifications at once');
  g.open(false);
  await new Promise((resolve) => setImmediate(resolve));
  g.open(false);
  assert.deepEqual(await Promise.all(held), [false, false, false, false]);
  assert.equal(await other, true);
});

test('past the queue, a login is a 503 (never a 403), and verifications run at most `concurrency` at once', async () => {
  const throttle = new LoginThrottle(fast);
  const g = gate();
  const addresses = ['a', 'b', 'c', 'd', 'e'];
  const running = addresses.map((address) => throttle.check({ address, account: null }, g.verify));
  await assert.rejects(throttle.check({ address: 'f', account: null }, g.verify), (error) => error instanceof ServiceBusyError);
  assert.equal(g.started, 2);
  while (g.started < 5) {
    g.open(true);
    await new Promise((resolve) => setImmediate(resolve));
  }
  g.open(true);
  assert.deepEqual(await Promise.all(running), [true, true, true, true, true]);
});

test('failures are counted per address and per existing account, success clears them, and the oldest are forgotten first', async () => {
  const throttle = new LoginThrottle(fast);
  for (let i = 0; i < 3; i++) assert.equal(await throttle.check({ address: 'a', account: 'alice' }, async () => false), false);
  assert.equal(throttle.failuresOf({ address: 'a' }), 3);
  assert.equal(throttle.failuresOf({ account: 'alice' }), 3);
  // The right password from another device gets in at once, whatever alice's failures.
  assert.equal(await throttle.check({ address: 'b', account: 'alice' }, async () => true), true);
  assert.equal(throttle.failuresOf({ account: 'alice' }), 0);
  assert.equal(throttle.failuresOf({ address: 'a' }), 3);
  // maxRemembered = 3: three new addresses push out the oldest entry.
  for (const address of ['x', 'y', 'z']) await throttle.check({ address, account: null }, async () => false);
  assert.equal(throttle.failuresOf({ address: 'a' }), 0);
  assert.equal(throttle.failuresOf({ address: 'z' }), 1);
});

test('failures are forgotten after a quiet while', async () => {
  let now = 1_000_000;
  const throttle = new LoginThrottle({ ...fast, forgetAfterMs: 1_000 }, () => now);
  await throttle.check({ address: 'a', account: null }, async () => false);
  assert.equal(throttle.failuresOf({ address: 'a' }), 1);
  now += 1_001;
  assert.equal(throttle.failuresOf({ address: 'a' }), 0);
});
