// Which snapshots are kept, like Time Machine (issue 24): every snapshot of
// the last 24 hours, the newest of each day for 30 days, the newest of each
// week for 26 weeks, and never fewer than the newest 3. Days and weeks are
// counted back from `now` (24-hour and 7-day buckets), so the result does not
// depend on the time zone. Old backups (kind 'old-backup') are snapshots like
// the others here.

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

export const KEEP_ALL_MS = DAY_MS;
export const DAILY_FOR_DAYS = 30;
export const WEEKLY_FOR_WEEKS = 26;
export const KEEP_AT_LEAST = 3;

export interface Dated {
  readonly id: string;
  readonly takenAt: number;
}

/** The ids to keep of `snapshots` at `now`; the rest may be removed. */
export function snapshotsToKeep(snapshots: readonly Dated[], now: number): Set<string> {
  const newestFirst = [...snapshots].sort((a, b) => b.takenAt - a.takenAt || (a.id < b.id ? 1 : -1));
  const keep = new Set<string>(newestFirst.slice(0, KEEP_AT_LEAST).map((snapshot) => snapshot.id));
  const daysSeen = new Set<number>();
  const weeksSeen = new Set<number>();
  for (const snapshot of newestFirst) {
    // A snapshot "from the future" (a clock set back) counts as new.
    const age = Math.max(0, now - snapshot.takenAt);
    if (age < KEEP_ALL_MS) {
      keep.add(snapshot.id);
      continue;
    }
    const day = Math.floor(age / DAY_MS);
    if (day < DAILY_FOR_DAYS) {
      if (!daysSeen.has(day)) keep.add(snapshot.id);
      daysSeen.add(day);
      continue;
    }
    const week = Math.floor(age / WEEK_MS);
    if (week < WEEKLY_FOR_WEEKS) {
      if (!weeksSeen.has(week)) keep.add(snapshot.id);
      weeksSeen.add(week);
    }
  }
  return keep;
}
