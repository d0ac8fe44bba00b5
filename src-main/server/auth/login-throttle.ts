// Guessing passwords is made slow, and a flood of guesses never locks the
// real user out. Three parts:
//   - verifications run a few at a time (argon2id takes tens of milliseconds
//     and much memory each), in a queue of bounded length;
//   - one address may have only a few logins in progress, counting the ones
//     whose answer is being delayed, so one attacker cannot fill the queue;
//   - each failure delays its 403 a little more, per address and per account,
//     and forgetting comes after a quiet while.
// A login is always verified before it is refused with 403: desktop Anki
// forgets its saved login on a 403, so a correct password must never get one.
// Past the limits the answer is 429 (too many from this address) or 503 (the
// queue is full), which clients report and retry without logging out.
import { ServiceBusyError, TooManyRequestsError } from '../errors.js';

export interface LoginThrottleOptions {
  /** Password verifications at once. */
  readonly concurrency: number;
  /** Logins waiting for a verification slot; more are answered 503. */
  readonly maxQueued: number;
  /** Logins in progress (queued, verifying, or waiting out their delay) from one address. */
  readonly maxPerAddress: number;
  /** Delay of the first failure's 403; doubling with each failure after it. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures are forgotten after this long without one. */
  readonly forgetAfterMs: number;
  /** Addresses and accounts remembered at once; the oldest is forgotten first. */
  readonly maxRemembered: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  concurrency: 2,
  maxQueued: 64,
  maxPerAddress: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  forgetAfterMs: 15 * 60_000,
  maxRemembered: 10_000,
};

interface Failures {
  count: number;
  lastAt: number;
}

export interface LoginAttempt {
  readonly address: string;
  /** The account tried, when it exists: names nobody has are not remembered. */
  readonly account: string | null;
}

export class LoginThrottle {
  private verifying = 0;
  private readonly queue: (() => void)[] = [];
  private readonly inProgress = new Map<string, number>();
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `verify` in its turn; resolves with its answer. A `false` (wrong
   * password) resolves only after this attempt's delay. Throws 429 or 503
   * before verifying when a limit is reached.
   */
  async check(attempt: LoginAttempt, verify: () => Promise<boolean>): Promise<boolean> {
    const held = this.inProgress.get(attempt.address) ?? 0;
    if (held >= this.options.maxPerAddress) throw new TooManyRequestsError(`${held} logins from ${attempt.address} already in progress`);
    if (this.verifying >= this.options.concurrency && this.queue.length >= this.options.maxQueued) {
      throw new ServiceBusyError(`${this.queue.length} logins waiting to be checked`);
    }
    this.inProgress.set(attempt.address, held + 1);
    try {
      const ok = await this.inTurn(verify);
      const keys = this.keysOf(attempt);
      if (ok) {
        for (const key of keys) this.failures.delete(key);
        return true;
      }
      const delay = Math.max(...keys.map((key) => this.fail(key)));
      await new Promise((resolve) => setTimeout(resolve, delay));
      return false;
    } finally {
      const left = (this.inProgress.get(attempt.address) ?? 1) - 1;
      if (left > 0) this.inProgress.set(attempt.address, left);
      else this.inProgress.delete(attempt.address);
    }
  }

  /** The failures remembered for an address or an account, for tests and status. */
  failuresOf(key: { address: string } | { account: string }): number {
    const name = 'address' in key ? `ip:${key.address}` : `user:${key.account}`;
    return this.current(name)?.count ?? 0;
  }

  private keysOf(attempt: LoginAttempt): string[] {
    return attempt.account === null ? [`ip:${attempt.address}`] : [`ip:${attempt.address}`, `user:${attempt.account}`];
  }

  private current(key: string): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry !== undefined && this.now() - entry.lastAt > this.options.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Records a failure; returns the delay it earns. */
  private fail(key: string): number {
    const entry = this.current(key) ?? { count: 0, lastAt: 0 };
    entry.count++;
    entry.lastAt = this.now();
    // Re-inserted, so the map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, entry);
    while (this.failures.size > this.options.maxRemembered) this.failures.delete(this.failures.keys().next().value!);
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(entry.count - 1, 30));
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.verifying >= this.options.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.verifying++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next in line.
      if (next !== undefined) next();
      else this.verifying--;
    }
  }
}
