// How one uploaded change moves the store. Every change that has an effect takes
// exactly one new usn; a change without effect takes none. Clients check
// `their usn + processed == current_usn` to know whether anyone else changed
// anything, so an extra or missing usn makes them re-download for nothing or miss
// another device's change.
import type { MediaDatabase, StoreMeta } from './media-database.js';

export type UploadedChange =
  | { readonly kind: 'delete'; readonly fname: string }
  | { readonly kind: 'add'; readonly fname: string; readonly sha1: Buffer; readonly size: number };

export type ChangeOutcome =
  /** Delete of a name with no live row: nothing changes. */
  | 'already-deleted'
  /** Add whose content matches the live row: nothing changes. */
  | 'identical'
  | 'added'
  | 'replaced'
  /** The row stays as a tombstone with its checksum, so devices that are behind learn of it. */
  | 'removed';

/** Applies one change to the rows and to `meta` (inside MediaDatabase.transact). */
export function registerUploadedChange(db: MediaDatabase, meta: StoreMeta, change: UploadedChange, nowSeconds: number): ChangeOutcome {
  const live = db.liveEntry(change.fname);
  if (change.kind === 'delete') {
    if (live === undefined) return 'already-deleted';
    meta.totalBytes = saturatingSub(meta.totalBytes, live.size);
    meta.totalNonemptyFiles = saturatingSub(meta.totalNonemptyFiles, 1);
    db.putEntry({ ...live, size: 0, usn: nextUsn(meta), mtime: nowSeconds });
    return 'removed';
  }
  if (live === undefined) {
    meta.totalBytes += change.size;
    meta.totalNonemptyFiles += 1;
    db.putEntry({ fname: change.fname, csum: change.sha1, size: change.size, usn: nextUsn(meta), mtime: nowSeconds });
    return 'added';
  }
  if (live.csum.equals(change.sha1)) return 'identical';
  meta.totalBytes = saturatingSub(meta.totalBytes, live.size) + change.size;
  db.putEntry({ fname: change.fname, csum: change.sha1, size: change.size, usn: nextUsn(meta), mtime: nowSeconds });
  return 'replaced';
}

/** Drops a live row whose file vanished from disk: no tombstone, no usn, so the loss does not spread to other devices. */
export function forgetMissingFile(db: MediaDatabase, meta: StoreMeta, fname: string): void {
  const live = db.liveEntry(fname);
  if (live === undefined) return;
  meta.totalBytes = saturatingSub(meta.totalBytes, live.size);
  meta.totalNonemptyFiles = saturatingSub(meta.totalNonemptyFiles, 1);
  db.deleteRow(fname);
}

function nextUsn(meta: StoreMeta): number {
  meta.lastUsn += 1;
  return meta.lastUsn;
}

function saturatingSub(value: number, amount: number): number {
  return Math.max(0, value - amount);
}
