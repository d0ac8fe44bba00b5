// What a snapshot of an account is, as the rest of the house sees it (issue 24):
// the kinds, the list entry, what an account's snapshots can do, and the one
// typed error whose message is a sentence for the learner (docs: ux.md).

export type SnapshotKind = 'after-sync' | 'before-full-upload' | 'before-restore' | 'manual' | 'old-backup';

export interface SnapshotEntry {
  /** A safe file-name-like id, stable; what restore and extract take. */
  readonly id: string;
  /** ms since epoch. */
  readonly takenAt: number;
  readonly kind: SnapshotKind;
  /** Size on disk. */
  readonly bytes: number;
  /** Counts at the time (null for old backups not yet read). */
  readonly notes: number | null;
  readonly cards: number | null;
  readonly revlog: number | null;
}

export interface AccountSnapshots {
  /** Newest first; includes old backups/ files as 'old-backup'. */
  list(): Promise<SnapshotEntry[]>;
  /** A 'manual' snapshot now, whatever SYNC_SNAPSHOT_MINUTES says. */
  take(): Promise<SnapshotEntry>;
  /** Puts that collection and its media back; returns the 'before-restore' snapshot of what it replaced. */
  restore(id: string): Promise<SnapshotEntry>;
  /** The snapshot's collection as a plain SQLite file at `target` (for export). */
  extractCollection(id: string, target: string): Promise<void>;
  /** The media that snapshot's collection had, resolved to media/ or the media trash. */
  mediaFiles(id: string): Promise<{ name: string; path: string }[]>;
  /** Bytes all this account's snapshots (and its media trash) take. */
  spaceBytes(): Promise<number>;
}

export type SnapshotErrorReason = 'no-such-snapshot' | 'damaged' | 'no-such-account' | 'no-room' | 'storage-missing';

/** A snapshot could not be read, restored or taken; the message is a sentence for the learner. */
export class SnapshotError extends Error {
  constructor(
    readonly reason: SnapshotErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

/** Where snapshots are taken from and kept, and how often they are taken. */
export interface SnapshotOptions {
  /** SYNC_BASE. */
  readonly baseFolder: string;
  /** SYNC_SNAPSHOT_DIR: a second copy of every snapshot, or null. */
  readonly snapshotDir?: string | null;
  /** SYNC_SNAPSHOT_MINUTES: at most one automatic snapshot per this many minutes (0: after every sync), or 'off'. */
  readonly minutes?: number | 'off';
}
