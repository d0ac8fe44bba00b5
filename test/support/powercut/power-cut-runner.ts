// Runs one acknowledged write against the real server on the forgetful file
// system, and cuts the power at every moment that can matter: right after the
// answer (the answered state must be there), and just before each fsync the
// write and the server's start-up make (what is on disk is then the old state
// or the new one, whole, and the server starts on it).
import assert from 'node:assert/strict';
import { ForgetfulFs, type DurabilityModel } from './forgetful-fs.js';

/** What a run saw after a cut: the state before the write, or the one it acknowledged. */
export type CutOutcome = 'old' | 'new';

export interface PowerCutCase<Running> {
  /** Brings the file system to the starting state (runs once, before it is saved). */
  setup(root: string): Promise<void>;
  /** Starts what is under test (the server, or the app) on `root`. */
  start(root: string): Promise<Running>;
  /** The acknowledged write; resolves when its answer has arrived. */
  act(running: Running, root: string): Promise<void>;
  /** Kills what `start` started, as a power cut does (SIGKILL). */
  kill(running: Running): Promise<void>;
  /**
   * After a cut: starts again on what is left, decides whether it is the old or
   * the new state, and asserts that it is whole; then stops cleanly.
   */
  check(root: string): Promise<CutOutcome>;
}

export interface PowerCutReport {
  /** Changing operations up to the answer, the write's start-up included. */
  readonly operations: number;
  /** The moments cut at before the answer (just before these operations) and what each left. */
  readonly cuts: readonly { at: number; outcome: CutOutcome }[];
}

/** At most this many cuts before the answer; AHS_POWERCUT_ALL=1 cuts before every fsync. */
const DEFAULT_CUTS = 12;

/** Up to `limit` of `syncs`, always the first and the last, the rest spread evenly. */
export function spreadCuts(syncs: readonly number[], limit: number): number[] {
  if (syncs.length <= limit) return [...syncs];
  const picked = new Set<number>();
  for (let i = 0; i < limit; i++) picked.add(syncs[Math.round((i * (syncs.length - 1)) / (limit - 1))]!);
  return [...picked].sort((a, b) => a - b);
}

export async function runPowerCuts<Running>(model: DurabilityModel, kase: PowerCutCase<Running>): Promise<PowerCutReport> {
  const fs = await ForgetfulFs.mount(model);
  try {
    await kase.setup(fs.root);
    // The starting state, all of it on disk: every run starts from it.
    await fs.save();

    // Right after the answer: what it acknowledged must be on disk.
    await fs.restore();
    await fs.arm(Number.MAX_SAFE_INTEGER);
    let running = await kase.start(fs.root);
    await kase.act(running, fs.root);
    await fs.freeze();
    const { ops, syncs } = await fs.operations();
    await kase.kill(running);
    await fs.cut();
    assert.equal(await kase.check(fs.root), 'new', 'the state the answer acknowledged survives a power cut right after it');

    // Before the answer: just before each fsync (only an fsync changes what is durable).
    const limit = process.env.AHS_POWERCUT_ALL === '1' ? Infinity : DEFAULT_CUTS;
    const cuts: { at: number; outcome: CutOutcome }[] = [];
    for (const at of spreadCuts(syncs, limit)) {
      await fs.restore();
      await fs.arm(at);
      running = await kase.start(fs.root);
      // The write goes on after the moment of the cut, as a process does until the power is really gone.
      await kase.act(running, fs.root).catch(() => undefined);
      await kase.kill(running);
      await fs.cut();
      cuts.push({ at, outcome: await kase.check(fs.root) });
    }
    assert.ok(syncs.length > 0, 'the write made at least one fsync');
    assert.equal(cuts[0]?.outcome, 'old', 'a cut before the first fsync leaves the old state');
    return { operations: ops, cuts };
  } finally {
    await fs.close();
  }
}
