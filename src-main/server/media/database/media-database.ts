// One user's `media.db`: which files the server holds, their checksums, and the
// usn at which each last changed. Opened once per user for the life of the server.
import type Database from 'better-sqlite3';
import { openDatabase } from '../../storage/sqlite.js';
import { CREATE_SCHEMA_V3, CURRENT_SCHEMA_VERSION, MIGRATE_V3_TO_V4 } from './schema.js';
import { MEDIA_CHANGES_CHUNK } from '../limits.js';
import { existsSync } from 'node:fs';
import { makePrivate } from '../../storage/private-files.js';

/** A row of `media`. A size of 0 marks a deleted file; its row and checksum stay forever. */
export interface MediaEntry {
  readonly fname: string;
  /** Raw 20-byte SHA-1 of the content. */
  readonly csum: Buffer;
  readonly size: number;
  readonly usn: number;
  /** Unix seconds of the last change. */
  readonly mtime: number;
}

/** The single row of `meta`, read and written in the same transaction as the rows. */
export interface StoreMeta {
  lastUsn: number;
  totalBytes: number;
  totalNonemptyFiles: number;
}

/** One element of a mediaChanges answer: `[fname, usn, sha1]`, sha1 lowercase hex or `""` if deleted. */
export type MediaChange = [fname: string, usn: number, sha1: string];

export class MediaDatabase {
  private readonly getMeta: Database.Statement;
  private readonly setMeta: Database.Statement;
  private readonly getChanges: Database.Statement;
  private readonly getEntry: Database.Statement;
  private readonly setEntry: Database.Statement;
  private readonly removeRow: Database.Statement;
  private readonly getLiveCaseVariant: Database.Statement;

  private constructor(private readonly db: Database.Database) {
    this.getMeta = db.prepare('SELECT last_usn, total_bytes, total_nonempty_files FROM meta');
    this.setMeta = db.prepare('UPDATE meta SET last_usn = ?, total_bytes = ?, total_nonempty_files = ?');
    // The official query has no ORDER BY and relies on the index; clients page
    // with the last element's usn, so the order is stated here.
    this.getChanges = db.prepare(
      `SELECT fname, usn, CASE WHEN size > 0 THEN lower(hex(csum)) ELSE '' END AS sha1
       FROM media WHERE usn > ? ORDER BY usn LIMIT ?`,
    );
    this.getEntry = db.prepare('SELECT fname, csum, size, usn, mtime FROM media WHERE fname = ?');
    this.setEntry = db.prepare('INSERT OR REPLACE INTO media (fname, csum, size, usn, mtime) VALUES (?, ?, ?, ?, ?)');
    this.removeRow = db.prepare('DELETE FROM media WHERE fname = ?');
    // No index can serve this (one with the unicase collation would make the file
    // unreadable to the official server); it only runs on case-insensitive disks.
    this.getLiveCaseVariant = db.prepare('SELECT fname FROM media WHERE size > 0 AND fname = ? COLLATE unicase AND fname != ? LIMIT 1');
  }

  /** Opens or creates the database and brings it to version 4. */
  static open(path: string): MediaDatabase {
    // The same connection settings as the official server: fail at once rather
    // than wait for a lock, and hold the file exclusively while the server runs,
    // so two servers can never write one user's media at the same time.
    const created = !existsSync(path);
    const db = openDatabase(path, { timeout: 0 });
    try {
      if (created) makePrivate(path);
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new MediaDatabase(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** A setting of the connection (`synchronous`, `journal_mode`…), for tests and diagnostics. */
  connectionSetting(name: 'synchronous' | 'journal_mode' | 'locking_mode'): unknown {
    return this.db.pragma(name, { simple: true });
  }

  meta(): StoreMeta {
    const row = this.getMeta.get() as { last_usn: number; total_bytes: number; total_nonempty_files: number };
    return { lastUsn: row.last_usn, totalBytes: row.total_bytes, totalNonemptyFiles: row.total_nonempty_files };
  }

  lastUsn(): number {
    return this.meta().lastUsn;
  }

  /** Up to one chunk of changes after `usn`, oldest first: clients page with the last usn. */
  changesAfter(usn: number): MediaChange[] {
    const rows = this.getChanges.all(usn, MEDIA_CHANGES_CHUNK) as { fname: string; usn: number; sha1: string }[];
    return rows.map((row) => [row.fname, row.usn, row.sha1]);
  }

  /** The row for `fname`, matched exactly (no normalisation, case-sensitive), deleted or not. */
  entry(fname: string): MediaEntry | undefined {
    return this.getEntry.get(fname) as MediaEntry | undefined;
  }

  /** The row for `fname` if the file is live (not deleted). */
  liveEntry(fname: string): MediaEntry | undefined {
    const entry = this.entry(fname);
    return entry !== undefined && entry.size > 0 ? entry : undefined;
  }

  /** Every live file, with its sha1 in lowercase hex. */
  liveFiles(): { fname: string; sha1: string }[] {
    return this.db.prepare('SELECT fname, lower(hex(csum)) AS sha1 FROM media WHERE size > 0 ORDER BY fname').all() as {
      fname: string;
      sha1: string;
    }[];
  }

  /** A live file whose name differs from `fname` only by letter case, if any. */
  liveCaseVariant(fname: string): string | undefined {
    return (this.getLiveCaseVariant.get(fname, fname) as { fname: string } | undefined)?.fname;
  }

  /** Inserts or overwrites a row. Callers keep `meta` in step (see usn-rules.ts). */
  putEntry(entry: MediaEntry): void {
    this.setEntry.run(entry.fname, entry.csum, entry.size, entry.usn, entry.mtime);
  }

  /** Removes a row outright, leaving no tombstone. */
  deleteRow(fname: string): void {
    this.removeRow.run(fname);
  }

  /**
   * Runs `body` in one exclusive transaction with the current meta, then writes
   * the meta back and commits; any throw (including from COMMIT) rolls everything
   * back and is rethrown. Returns `last_usn` after the commit.
   */
  transact(body: (meta: StoreMeta) => void): number {
    const run = this.db.transaction(() => {
      const meta = this.meta();
      body(meta);
      this.setMeta.run(meta.lastUsn, meta.totalBytes, meta.totalNonemptyFiles);
      return meta.lastUsn;
    });
    return run.exclusive();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new Error(`media.db has schema version ${version}, newer than this server understands (${CURRENT_SCHEMA_VERSION})`);
  }
  if (version < 3) db.exec(CREATE_SCHEMA_V3);
  if (version < 4) {
    db.exec(MIGRATE_V3_TO_V4);
    db.exec('VACUUM');
  }
}
