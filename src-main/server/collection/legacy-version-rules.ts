// What `meta` tells clients that speak an older sync version than the
// collection needs (docs/protocol/collection-sync.md §7; reference collection/meta.rs): a
// version-8 client cannot use a v2-scheduler collection, and a client below
// version 10 cannot use one with the v2 timezone handling (`creationOffset`).
// They get `cont: false` and the reference's sentence, shown to the learner.
// Only `meta`'s JSON carries the real version; the envelope always says 10.
import type Database from 'better-sqlite3';

export const SYNC_VERSION_09_V2_SCHEDULER = 9;
export const SYNC_VERSION_10_V2_TIMEZONE = 10;

export const V2_SCHEDULER_MESSAGE = 'Your client does not support the v2 scheduler';
export const V2_TIMEZONE_MESSAGE = 'Your client does not support the new timezone handling.';

/** The schema-18 `config` value of a key, parsed; undefined when absent or not JSON. */
function configValue(db: Database.Database, key: string): unknown {
  const row = db.prepare('SELECT val FROM config WHERE KEY = ?').get(key) as { val: Buffer | string } | undefined;
  if (row === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(row.val).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The reference reads `schedVer` as 1 or 2; anything else (or nothing) counts as v1. */
export function usesV2Scheduler(db: Database.Database): boolean {
  return configValue(db, 'schedVer') === 2;
}

/** `creationOffset` counts only as an i32, as the reference deserialises it; null means unset. */
export function usesV2Timezone(db: Database.Database): boolean {
  const offset = configValue(db, 'creationOffset');
  return typeof offset === 'number' && Number.isInteger(offset) && offset >= -(2 ** 31) && offset < 2 ** 31;
}

/**
 * The message that stops a client of `syncVersion` from syncing this
 * collection, or null when it may go on. Checked in the reference's order.
 */
export function legacyVersionRefusal(db: Database.Database, syncVersion: number): string | null {
  if (syncVersion < SYNC_VERSION_09_V2_SCHEDULER && usesV2Scheduler(db)) return V2_SCHEDULER_MESSAGE;
  if (syncVersion < SYNC_VERSION_10_V2_TIMEZONE && usesV2Timezone(db)) return V2_TIMEZONE_MESSAGE;
  return null;
}
