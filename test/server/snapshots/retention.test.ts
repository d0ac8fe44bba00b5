// Issue 24: snapshots are kept like Time Machine: every one of the last 24
// hours, one a day for 30 days, one a week for 26 weeks, never fewer than the
// last 3. Tested with a clock: a year of hourly snapshots, pruned as they come,
// and then the files on disk pruned by the keeper with that clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotsToKeep, type Dated } from '../../../src-main/server/storage/snapshots/retention.js';
import { snapshotId } from '../../../src-main/server/storage/snapshots/snapshot-names.js';
import { SnapshotKeeper } from '../../../src-main/server/storage/snapshots/snapshot-keeper.js';
import { userPaths } from '../../../src-main/server/storage/user-paths.js';
import { silentLogger } from '../../../src-main/server/report/log.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const START = Date.UTC(2026, 0, 1);

function snapshotAt(at: number): Dated {
  return { id: snapshotId(at, 'after-sync', { notes: 1, cards: 1, revlog: 1 }), takenAt: at };
}

/** `hours` of hourly snapshots, each followed by a prune at its own time. */
function hourlyFor(hours: number): { kept: Dated[]; now: number } {
  let kept: Dated[] = [];
  let now = START;
  for (let hour = 0; hour < hours; hour++) {
    now = START + hour * HOUR;
    kept.push(snapshotAt(now));
    const keep = snapshotsToKeep(kept, now);
    kept = kept.filter((snapshot) => keep.has(snapshot.id));
  }
  return { kept, now };
}

/** Kept snapshots taken on UTC day `day` (days since the epoch), or in week `week` (weeks since the epoch). */
function onDay(kept: readonly Dated[], day: number): number {
  return kept.filter((snapshot) => Math.floor(snapshot.takenAt / DAY) === day).length;
}
function inWeek(kept: readonly Dated[], week: number): number {
  return kept.filter((snapshot) => Math.floor(snapshot.takenAt / WEEK) === week).length;
}

test('a year of hourly snapshots: all of the last day, one a day for 30 days, one a week for 26 weeks, nothing older', () => {
  const { kept, now } = hourlyFor(365 * 24);
  const today = Math.floor(now / DAY);
  const thisWeek = Math.floor(now / WEEK);
  assert.equal(kept.filter((snapshot) => now - snapshot.takenAt < DAY).length, 24, 'every snapshot of the last 24 hours');
  for (let daysBack = 2; daysBack < 30; daysBack++) assert.equal(onDay(kept, today - daysBack), 1, `one on the day ${daysBack} days back`);
  // Weeks wholly before the 30 days (the week 5 back may hold some of them).
  for (let weeksBack = 6; weeksBack < 26; weeksBack++)
    assert.equal(inWeek(kept, thisWeek - weeksBack), 1, `one in the week ${weeksBack} weeks back`);
  assert.equal(kept.filter((snapshot) => Math.floor(snapshot.takenAt / WEEK) <= thisWeek - 26).length, 0, 'none older than 26 weeks');
  assert.ok(kept.length <= 24 + 30 + 26);
});

test('never fewer than the last 3, however old', () => {
  const old = [0, 1, 2, 3].map((n) => snapshotAt(START + n * HOUR));
  const now = START + 400 * DAY;
  const keep = snapshotsToKeep(old, now);
  assert.deepEqual(
    [...keep].sort(),
    old
      .slice(1)
      .map((snapshot) => snapshot.id)
      .sort(),
  );
});

test('a snapshot dated after the clock (the clock was set back) counts as new', () => {
  const now = START + 100 * DAY;
  const future = snapshotAt(now + 5 * DAY);
  const many = Array.from({ length: 10 }, (_, n) => snapshotAt(now - (40 + n) * DAY));
  assert.ok(snapshotsToKeep([future, ...many], now).has(future.id));
});

test("the keeper prunes an account's files by its clock, old backups among them, and leaves files it did not name", async (t) => {
  const base = makeTempFolder('ahs-retention-');
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const paths = userPaths(base, 'alice');
  mkdirSync(paths.snapshots, { recursive: true });
  mkdirSync(paths.backups, { recursive: true });
  const now = START + 300 * DAY;
  const taken = [1, 2, 3, 10, 10.5, 39, 40, 100, 250].map((daysAgo) => snapshotAt(now - daysAgo * DAY - HOUR));
  for (const snapshot of taken) {
    writeFileSync(join(paths.snapshots, `${snapshot.id}.anki2.zst`), 'x');
    writeFileSync(join(paths.snapshots, `${snapshot.id}.media.zst`), 'x');
  }
  writeFileSync(join(paths.backups, 'collection-20250101-000000-000.anki2'), 'x');
  writeFileSync(join(paths.snapshots, 'notes-of-the-owner.txt'), 'x');
  const keeper = new SnapshotKeeper({ logger: silentLogger, now: () => now });
  await keeper.prune(paths, 'alice');

  const left = readdirSync(paths.snapshots).sort();
  const keptIds = new Set(left.filter((name) => name.endsWith('.anki2.zst')).map((name) => name.slice(0, -'.anki2.zst'.length)));
  // Days 1, 2, 3 (one a day); day 10 (the newer of the two that UTC day); 39 and 40 days back share a
  // UTC week (one: the newer); 100 days back is within 26 weeks, 250 is not, nor is the old backup (2025).
  const expected = [1, 2, 3, 10, 39, 100].map((daysAgo) => snapshotAt(now - daysAgo * DAY - HOUR).id);
  assert.deepEqual([...keptIds].sort(), expected.sort());
  for (const id of keptIds) assert.ok(left.includes(`${id}.media.zst`), 'each kept snapshot keeps its media list');
  assert.equal(left.filter((name) => name.endsWith('.media.zst')).length, keptIds.size, 'removed ones lose their media list too');
  assert.ok(left.includes('notes-of-the-owner.txt'));
  assert.deepEqual(readdirSync(paths.backups), []);
});
