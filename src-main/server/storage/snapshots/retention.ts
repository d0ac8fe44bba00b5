// Which snapshots are kept, like Time Machine (issue 24): every snapshot of
// the last 24 hours, the newest of each day for 30 days, the newest of each
// week for 26 weeks, and never fewer than the newest 3. Days and weeks are
// calendar buckets in UTC (weeks counted from the epoch), not counted back from
// `now`: a snapshot's day never changes, so the one kept for a day stays the
// one kept as time passes and snapshots are pruned one prune after another
// (buckets counted back from `now` slide, and left days with none). Old
// backups (kind 'old-backup') are snapshots like the others here.

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
  const today = Math.floor(now / DAY_MS);
  const thisWeek = Math.floor(now / WEEK_MS);
  const daysSeen = new Set<number>();
  const weeksSeen = new Set<number>();
  for (const snapshot of newestFirst) {
    // A snapshot "from the future" (a clock set back) counts as new.
    if (now - snapshot.takenAt < KEEP_ALL_MS) {
      keep.add(snapshot.id);
      continue;
    }
    const day = Math.floor(snapshot.takenAt / DAY_MS);
    const week = Math.floor(snapshot.takenAt / WEEK_MS);
    // The newest of its day, of its week: the first met, newest first.
    const newestOfDay = !daysSeen.has(day);
    const newestOfWeek = !weeksSeen.has(week);
    daysSeen.add(day);
    weeksSeen.add(week);
    if (today - day < DAILY_FOR_DAYS) {
      if (newestOfDay) keep.add(snapshot.id);
    } else if (thisWeek - week < WEEKLY_FOR_WEEKS && newestOfWeek) {
      keep.add(snapshot.id);
    }
  }
  return keep;
}
