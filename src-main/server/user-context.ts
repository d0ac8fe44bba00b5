// The per-user state that lives as long as the server: the open collection
// handle, the normal sync in progress, and the way to the activity list. The
// dispatcher holds the user's lock whenever a method uses it.
import type Database from 'better-sqlite3';
import type { ActiveSync, ActivityEvent, PayloadLimits, UserContext, UserPaths } from './protocol.js';
import { closeMediaStoreOf, mediaStoreOf } from './media/store-of-user.js';

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

  mediaUsn(): number {
    return mediaStoreOf(this).lastUsn();
  }

  record(event: ActivityEvent): void {
    this.deps.record(event);
  }

  /** Rolls back any normal sync and closes the collection and media database (server stop, user removed). */
  shutdown(): void {
    const active = this.activeSync;
    this.activeSync = null;
    try {
      active?.rollback();
    } finally {
      try {
        this.closeCollection();
      } finally {
        closeMediaStoreOf(this);
      }
    }
  }
}
