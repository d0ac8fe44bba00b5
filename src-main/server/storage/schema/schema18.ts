// The schema-18 DDL: the steps Anki takes from schema 11 to 18 and back,
// text for text as in rslib/src/storage/upgrades/*.sql, so that the tables and
// indexes we create (and their text in sqlite_master) match a real client's.
// A schema-18 collection is SCHEMA11_SQL followed by the four upgrade steps.
// Tables with COLLATE unicase need the collation loaded (sqlite.ts).

/** deck_config, config and tags tables; ver 14 */
export const SCHEMA14_UPGRADE_SQL = `CREATE TABLE deck_config (
  id integer PRIMARY KEY NOT NULL,
  name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL,
  usn integer NOT NULL,
  config blob NOT NULL
);
CREATE TABLE config (
  KEY text NOT NULL PRIMARY KEY,
  usn integer NOT NULL,
  mtime_secs integer NOT NULL,
  val blob NOT NULL
) without rowid;
CREATE TABLE tags (
  tag text NOT NULL PRIMARY KEY COLLATE unicase,
  usn integer NOT NULL
) without rowid;
UPDATE col
SET ver = 14;`;

/** fields, templates, notetypes and decks tables with their indexes, idx_notes_mid, idx_cards_odid; ver 15; ANALYZE */
export const SCHEMA15_UPGRADE_SQL = `CREATE TABLE fields (
  ntid integer NOT NULL,
  ord integer NOT NULL,
  name text NOT NULL COLLATE unicase,
  config blob NOT NULL,
  PRIMARY KEY (ntid, ord)
) without rowid;
CREATE UNIQUE INDEX idx_fields_name_ntid ON fields (name, ntid);
CREATE TABLE templates (
  ntid integer NOT NULL,
  ord integer NOT NULL,
  name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL,
  usn integer NOT NULL,
  config blob NOT NULL,
  PRIMARY KEY (ntid, ord)
) without rowid;
CREATE UNIQUE INDEX idx_templates_name_ntid ON templates (name, ntid);
CREATE INDEX idx_templates_usn ON templates (usn);
CREATE TABLE notetypes (
  id integer NOT NULL PRIMARY KEY,
  name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL,
  usn integer NOT NULL,
  config blob NOT NULL
);
CREATE UNIQUE INDEX idx_notetypes_name ON notetypes (name);
CREATE INDEX idx_notetypes_usn ON notetypes (usn);
CREATE TABLE decks (
  id integer PRIMARY KEY NOT NULL,
  name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL,
  usn integer NOT NULL,
  common blob NOT NULL,
  kind blob NOT NULL
);
CREATE UNIQUE INDEX idx_decks_name ON decks (name);
CREATE INDEX idx_notes_mid ON notes (mid);
CREATE INDEX idx_cards_odid ON cards (odid)
WHERE odid != 0;
UPDATE col
SET ver = 15;
ANALYZE;`;

/** tags rebuilt with collapsed and config columns (rows are re-added by the caller) */
export const SCHEMA17_UPGRADE_SQL = `DROP TABLE tags;
CREATE TABLE tags (
  tag text NOT NULL PRIMARY KEY COLLATE unicase,
  usn integer NOT NULL,
  collapsed boolean NOT NULL,
  config blob NULL
) without rowid;`;

/** graves rebuilt WITHOUT ROWID with primary key (oid, type), duplicates dropped; ver 18 */
export const SCHEMA18_UPGRADE_SQL = `ALTER TABLE graves
  RENAME TO graves_old;
CREATE TABLE graves (
  oid integer NOT NULL,
  type integer NOT NULL,
  usn integer NOT NULL,
  PRIMARY KEY (oid, type)
) WITHOUT ROWID;
INSERT
  OR IGNORE INTO graves (oid, type, usn)
SELECT oid,
  type,
  usn
FROM graves_old;
DROP TABLE graves_old;
CREATE INDEX idx_graves_pending ON graves (usn);
UPDATE col
SET ver = 18;`;

/** graves back to the keyless schema-11 table; ver 17 */
export const SCHEMA18_DOWNGRADE_SQL = `ALTER TABLE graves
  RENAME TO graves_old;
CREATE TABLE graves (
  usn integer NOT NULL,
  oid integer NOT NULL,
  type integer NOT NULL
);
INSERT INTO graves (usn, oid, type)
SELECT usn,
  oid,
  type
FROM graves_old;
DROP TABLE graves_old;
UPDATE col
SET ver = 17;`;

/** drops every schema-18 table and index; ver 11 */
export const SCHEMA11_DOWNGRADE_SQL = `DROP TABLE config;
DROP TABLE deck_config;
DROP TABLE tags;
DROP TABLE fields;
DROP TABLE templates;
DROP TABLE notetypes;
DROP TABLE decks;
DROP INDEX idx_cards_odid;
DROP INDEX idx_notes_mid;
UPDATE col
SET ver = 11;`;
