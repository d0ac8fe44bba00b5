// Is an uploaded file's schema the one a real client writes at its version?
// SQLite accepts anything that is a valid database, and a file can carry
// triggers that fire on the server's own `UPDATE col`, views, extra tables, or
// a required table missing. The expected shape is made by running our copy of
// the reference's DDL (rslib/src/storage/schema11.sql and upgrades/*.sql) in
// memory, so it matches what a client's own upgrades produce:
//   11            schema11.sql
//   14            + schema14_upgrade.sql
//   15, 16        + schema15_upgrade.sql (16 only changed data)
//   17            + the tags table rebuilt (upgrade_tags_to_schema17)
//   18            + schema18_upgrade.sql
// Tables are compared by their columns (name, type, NOT NULL, default, primary
// key, hidden) and WITHOUT ROWID; indexes by table, uniqueness, partiality and
// key columns with their collation. Triggers and views are never accepted.
import type { Db } from '../objects/db.js';
import { openDatabase } from '../sqlite.js';
import { SCHEMA11_SQL } from './schema11.js';
import { SCHEMA14_UPGRADE_SQL, SCHEMA15_UPGRADE_SQL, SCHEMA17_UPGRADE_SQL, SCHEMA18_UPGRADE_SQL } from './schema18.js';

interface TableShape {
  readonly columns: string;
  readonly withoutRowid: boolean;
}

interface IndexShape {
  readonly table: string;
  readonly unique: boolean;
  readonly partial: boolean;
  readonly keys: string;
}

interface SchemaShape {
  readonly tables: ReadonlyMap<string, TableShape>;
  readonly indexes: ReadonlyMap<string, IndexShape>;
  readonly others: readonly string[];
}

/**
 * Tables a real file may have beyond the schema: SQLite's own statistics
 * (ANALYZE, run by the schema-15 upgrade) and the locale table Android's SQLite
 * adds to databases it opens.
 */
const TOLERATED_TABLES: ReadonlyMap<string, string | null> = new Map([
  ['sqlite_stat1', null],
  ['sqlite_stat2', null],
  ['sqlite_stat3', null],
  ['sqlite_stat4', null],
  ['android_metadata', 'locale|text|0||0|0'],
]);

function ddlFor(version: number): string[] {
  const steps = [SCHEMA11_SQL];
  if (version >= 14) steps.push(SCHEMA14_UPGRADE_SQL);
  if (version >= 15) steps.push(SCHEMA15_UPGRADE_SQL);
  if (version >= 17) steps.push(SCHEMA17_UPGRADE_SQL);
  if (version >= 18) steps.push(SCHEMA18_UPGRADE_SQL);
  return steps;
}

function describe(db: Db): SchemaShape {
  const entries = db.prepare("SELECT type, name, tbl_name AS tbl FROM sqlite_schema WHERE name NOT LIKE 'sqlite_autoindex_%'").all() as {
    type: string;
    name: string;
    tbl: string;
  }[];
  const tables = new Map<string, TableShape>();
  const indexes = new Map<string, IndexShape>();
  const others: string[] = [];
  const list = new Map(
    (db.prepare("SELECT name, wr FROM pragma_table_list WHERE schema = 'main'").all() as { name: string; wr: number }[]).map((row) => [
      row.name,
      row.wr === 1,
    ]),
  );
  for (const entry of entries) {
    if (entry.type === 'table') {
      const columns = (
        db.prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)').raw().all(entry.name) as unknown[][]
      )
        .map(([name, type, notNull, dflt, pk, hidden]) =>
          [String(name), String(type).toLowerCase(), notNull, dflt ?? '', pk, hidden].join('|'),
        )
        .join(',');
      tables.set(entry.name, { columns, withoutRowid: list.get(entry.name) ?? false });
    } else if (entry.type === 'index') {
      const info = db.prepare('SELECT "unique", partial FROM pragma_index_list(?) WHERE name = ?').get(entry.tbl, entry.name) as
        { unique: number; partial: number } | undefined;
      const keys = (
        db.prepare('SELECT name, "desc", coll FROM pragma_index_xinfo(?) WHERE key = 1').raw().all(entry.name) as [
          string | null,
          number,
          string,
        ][]
      )
        .map(([name, desc, coll]) => [name ?? '<expression>', desc, coll.toLowerCase()].join('|'))
        .join(',');
      indexes.set(entry.name, { table: entry.tbl, unique: info?.unique === 1, partial: info?.partial === 1, keys });
    } else {
      others.push(`${entry.type} ${JSON.stringify(entry.name)}`);
    }
  }
  return { tables, indexes, others };
}

const expectedShapes = new Map<number, SchemaShape>();

function expectedShape(version: number): SchemaShape {
  let shape = expectedShapes.get(version);
  if (shape === undefined) {
    const db = openDatabase(':memory:');
    try {
      for (const step of ddlFor(version)) db.exec(step);
      shape = describe(db);
    } finally {
      db.close();
    }
    expectedShapes.set(version, shape);
  }
  return shape;
}

/**
 * What is wrong with the schema of `db` for a collection of `version` (11,
 * 14–18), or null when it is what a real client writes. Reads only the schema:
 * nothing in the file runs.
 */
export function collectionSchemaProblem(db: Db, version: number): string | null {
  const want = expectedShape(version);
  const have = describe(db);
  if (have.others.length > 0) return `it has ${have.others.join(', ')}, which no Anki collection has`;
  for (const [name, shape] of want.tables) {
    const got = have.tables.get(name);
    if (got === undefined) return `table ${name} is missing`;
    if (got.columns !== shape.columns || got.withoutRowid !== shape.withoutRowid)
      return `table ${name} is not the schema-${version} ${name} table`;
  }
  for (const [name, shape] of have.tables) {
    if (want.tables.has(name)) continue;
    if (!TOLERATED_TABLES.has(name)) return `it has a table ${JSON.stringify(name)}, which no Anki collection has`;
    const columns = TOLERATED_TABLES.get(name);
    if (columns !== null && columns !== shape.columns) return `table ${name} is not the one its name says`;
  }
  for (const [name, shape] of want.indexes) {
    const got = have.indexes.get(name);
    if (got === undefined) return `index ${name} is missing`;
    if (got.table !== shape.table || got.unique !== shape.unique || got.partial !== shape.partial || got.keys !== shape.keys) {
      return `index ${name} is not the schema-${version} ${name} index`;
    }
  }
  for (const name of have.indexes.keys()) {
    if (!want.indexes.has(name)) return `it has an index ${JSON.stringify(name)}, which no Anki collection has`;
  }
  return null;
}
