// The per-user state that lives as long as the server: the open collection
// handle, the normal sync in progress, and the way to the activity list. The
// dispatcher holds the user's lock whenever a method uses it.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { ActiveSync, ActivityEvent, PayloadLimits, UserContext, UserPaths } from './protocol.js';
import { openDatabase } from './storage/sqlite.js';

export interface UserContextDeps {
  /** Opens (creating if missing) the user's schema-18 collection. */
  openCollection(path: string): Database.Database;
  record(event: ActivityEvent): void;
}

export class ServerUserContext implements UserContext {
  activeSync: ActiveSync | null = null;
  private db: Database.Database | null = null;

  constructor(
    readonly username: string,
    readonly paths: UserPaths,
    readonly limits: PayloadLimits,
    private readonly deps: UserContextDeps,
  ) {}

  collection(): Database.Database {
    this.db ??= this.deps.openCollection(this.paths.collection);
    return this.db;
  }

  closeCollection(): void {
    const db = this.db;
    if (db === null) return;
    this.db = null;
    if (db.inTransaction) db.exec('ROLLBACK');
    // Closing the last connection checkpoints the WAL into the file and deletes it.
    db.close();
  }

  /** The media helper's store replaces this; until then, read media.db's counter if there is one. */
  mediaUsn(): number {
    if (!existsSync(this.paths.mediaDb)) return 0;
    const db = openDatabase(this.paths.mediaDb, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT last_usn FROM meta').get() as { last_usn: number } | undefined;
      return row?.last_usn ?? 0;
    } finally {
      db.close();
    }
  }

  record(event: ActivityEvent): void {
    this.deps.record(event);
  }

  /** Rolls back any normal sync and closes the collection (server stop, user removed). */
  shutdown(): void {
    const active = this.activeSync;
    this.activeSync = null;
    try {
      active?.rollback();
    } finally {
      this.closeCollection();
    }
  }
}
