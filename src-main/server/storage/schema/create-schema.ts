// The tables of a brand-new collection, made the way the reference makes them
// (rslib/src/storage/sqlite.rs open_or_create): the schema-11 DDL, the col row
// filled in, then the regular upgrade to 18. The caller adds the default deck
// config, deck and stock notetypes (objects/ put functions) in the same
// transaction, as docs/protocol/collection-sync.md §5.3 describes.

import { stringifyJson, type JsonObject } from '../../json.js';
import type { Db } from '../objects/db.js';
import { SCHEMA11_SQL } from './schema11.js';
import { upgradeToSchema18 } from './upgrade.js';

export interface NewCollectionFields {
  /** col.crt: creation day, Unix seconds */
  crt: number;
  /** col.scm: schema modification time, milliseconds */
  scm: number;
  /** the legacy `conf` object; it becomes the rows of `config` (usn 0, mtime 0) */
  conf: JsonObject;
}

/** Creates the schema-18 tables and the col row in an empty database, inside the caller's transaction or its own. */
export function createCollectionSchema(db: Db, fields: NewCollectionFields): void {
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN EXCLUSIVE');
  try {
    db.exec(SCHEMA11_SQL);
    db.prepare('UPDATE col SET crt = ?, scm = ?, ver = 11, conf = ?').run(fields.crt, fields.scm, stringifyJson(fields.conf));
    upgradeToSchema18(db, { server: true });
    if (ownTransaction) db.exec('COMMIT');
  } catch (error) {
    if (ownTransaction && db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
