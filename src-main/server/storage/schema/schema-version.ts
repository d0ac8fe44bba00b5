// Which collection schemas we can open, as the reference decides
// (rslib/src/storage/upgrades/mod.rs, sqlite.rs open_or_create).

import type { Db } from '../objects/db.js';

export const SCHEMA_MIN_VERSION = 11;
export const SCHEMA_MAX_VERSION = 18;

/** A file whose `col.ver` we cannot open: below 11, 12 or 13, or above 18. */
export class UnsupportedSchemaError extends Error {
  constructor(
    readonly version: number,
    readonly kind: 'too-old' | 'too-new',
  ) {
    super(
      kind === 'too-old'
        ? `collection schema ${version} is older than ${SCHEMA_MIN_VERSION}, the oldest Anki can still open`
        : `collection schema ${version} is not one this server can open (11, 14–18)`,
    );
    this.name = 'UnsupportedSchemaError';
  }
}

/** Not an Anki collection: no `col` table, no row, or data the upgrade cannot read. */
export class NotACollectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotACollectionError';
  }
}

/** `col.ver`, or NotACollectionError. */
export function readSchemaVersion(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'col'").get();
  if (!table) throw new NotACollectionError('no col table');
  const row = db.prepare('SELECT ver FROM col').get() as { ver: unknown } | undefined;
  if (!row) throw new NotACollectionError('the col table has no row');
  const ver = Number(row.ver);
  if (!Number.isInteger(ver)) throw new NotACollectionError(`col.ver is not an integer: ${String(row.ver)}`);
  return ver;
}

/** Throws UnsupportedSchemaError unless `ver` is 11 or 14–18. */
export function checkSchemaVersion(ver: number): void {
  if (ver < SCHEMA_MIN_VERSION) throw new UnsupportedSchemaError(ver, 'too-old');
  if (ver > SCHEMA_MAX_VERSION || ver === 12 || ver === 13) throw new UnsupportedSchemaError(ver, 'too-new');
}
