// How a snapshot is named on disk, so that listing them reads names and sizes
// only: the id holds the time (UTC, to the millisecond), the kind and the
// counts. A snapshot is two files in SYNC_BASE/<user>/snapshots/: its
// collection (`<id>.anki2.zst`, or `<id>.anki2` while a kept collection waits
// for its compression) and its media list (`<id>.media.zst`, written first, so
// a collection file always has its list). Old backups (`backups/collection-*.anki2`,
// before issue 24) keep their names; their id is the name without `.anki2`.
import type { SnapshotKind } from './snapshot-types.js';

export const COMPRESSED_SUFFIX = '.anki2.zst';
export const RAW_SUFFIX = '.anki2';
export const MEDIA_SUFFIX = '.media.zst';
/** A snapshot being written: never listed, removed when found (a crash left it). */
export const TEMP_PREFIX = '.tmp-';

type TakenKind = Exclude<SnapshotKind, 'old-backup'>;

const SNAPSHOT_ID = /^(\d{8})-(\d{6})-(\d{3})-(after-sync|before-full-upload|before-restore|manual)-n(\d+)-c(\d+)-r(\d+)$/;
const OLD_BACKUP_ID = /^collection-(\d{8})-(\d{6})-(\d{3})(?:-\d+)?$/;

export interface Counts {
  readonly notes: number;
  readonly cards: number;
  readonly revlog: number;
}

export interface ParsedId {
  readonly takenAt: number;
  readonly kind: SnapshotKind;
  readonly counts: Counts | null;
}

function stamp(ms: number): string {
  const date = new Date(ms);
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}-${p(date.getUTCMilliseconds(), 3)}`
  );
}

function fromStamp(day: string, time: string, ms: string): number {
  return Date.UTC(
    Number(day.slice(0, 4)),
    Number(day.slice(4, 6)) - 1,
    Number(day.slice(6, 8)),
    Number(time.slice(0, 2)),
    Number(time.slice(2, 4)),
    Number(time.slice(4, 6)),
    Number(ms),
  );
}

export function snapshotId(takenAt: number, kind: TakenKind, counts: Counts): string {
  return `${stamp(takenAt)}-${kind}-n${counts.notes}-c${counts.cards}-r${counts.revlog}`;
}

/** What an id says, or null when it is not one of ours (a file we did not name is never touched). */
export function parseId(id: string): ParsedId | null {
  const taken = SNAPSHOT_ID.exec(id);
  if (taken !== null) {
    return {
      takenAt: fromStamp(taken[1]!, taken[2]!, taken[3]!),
      kind: taken[4] as TakenKind,
      counts: { notes: Number(taken[5]), cards: Number(taken[6]), revlog: Number(taken[7]) },
    };
  }
  const old = OLD_BACKUP_ID.exec(id);
  if (old !== null) return { takenAt: fromStamp(old[1]!, old[2]!, old[3]!), kind: 'old-backup', counts: null };
  return null;
}

/** The id a file in snapshots/ belongs to and what it is, or null for anything else. */
export function snapshotFile(name: string): { id: string; part: 'compressed' | 'raw' | 'media' } | null {
  for (const [suffix, part] of [
    [COMPRESSED_SUFFIX, 'compressed'],
    [MEDIA_SUFFIX, 'media'],
    [RAW_SUFFIX, 'raw'],
  ] as const) {
    if (!name.endsWith(suffix)) continue;
    const id = name.slice(0, -suffix.length);
    const parsed = parseId(id);
    return parsed !== null && parsed.kind !== 'old-backup' ? { id, part } : null;
  }
  return null;
}

/** The id of an old backup file in backups/, or null. */
export function oldBackupId(name: string): string | null {
  if (!name.endsWith(RAW_SUFFIX)) return null;
  const id = name.slice(0, -RAW_SUFFIX.length);
  return parseId(id)?.kind === 'old-backup' ? id : null;
}
