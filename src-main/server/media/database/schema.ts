// The server media database's layout, identical to the official server's so that
// a user folder can move between it and us in either direction. Versions are kept
// in `PRAGMA user_version`: 3 is the layout older official servers wrote, 4 is
// the current one. A new file goes through both steps, like the official server.

/** A new, empty database at version 3. */
export const CREATE_SCHEMA_V3 = `
BEGIN EXCLUSIVE;
CREATE TABLE IF NOT EXISTS media (
  fname TEXT NOT NULL PRIMARY KEY,
  csum BLOB,
  sz INT NOT NULL,
  usn INT NOT NULL,
  deleted INT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_usn ON media (usn);
CREATE TABLE IF NOT EXISTS meta (usn INT NOT NULL, sz INT NOT NULL);
INSERT INTO meta (usn, sz) VALUES (0, 0);
PRAGMA user_version = 3;
COMMIT;
`;

/**
 * Version 3 to 4. Version 3 nulled the checksum of a deleted file; version 4 keeps
 * it and marks deletion by size 0, so v3 tombstones (NULL csum) cannot be carried
 * over and are dropped. `sz` becomes `size`, `deleted` becomes `mtime`, and the
 * meta row gains the live-file count, recomputed from the rows.
 */
export const MIGRATE_V3_TO_V4 = `
BEGIN EXCLUSIVE;
ALTER TABLE media RENAME TO media_v3;
DROP INDEX ix_usn;
CREATE TABLE media (
  fname TEXT NOT NULL PRIMARY KEY,
  csum BLOB NOT NULL,
  size INT NOT NULL,
  usn INT NOT NULL,
  mtime INT NOT NULL
);
INSERT INTO media (fname, csum, size, usn, mtime)
  SELECT fname, csum, sz, usn, deleted FROM media_v3 WHERE csum IS NOT NULL;
DROP TABLE media_v3;
CREATE INDEX ix_usn ON media (usn);
DROP TABLE meta;
CREATE TABLE meta (
  last_usn INT NOT NULL,
  total_bytes INT NOT NULL,
  total_nonempty_files INT NOT NULL
);
INSERT INTO meta (last_usn, total_bytes, total_nonempty_files)
  SELECT coalesce(max(usn), 0),
         coalesce(sum(size), 0),
         (SELECT count(*) FROM media WHERE size > 0)
  FROM media;
PRAGMA user_version = 4;
COMMIT;
`;

export const CURRENT_SCHEMA_VERSION = 4;
