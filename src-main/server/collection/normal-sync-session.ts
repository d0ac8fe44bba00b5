// One normal sync in progress (docs/protocol/collection-sync.md §2.2, §2.4): the values
// captured at `start`, and the one SQLite transaction that spans every request
// from `start` to `finish`. Nothing the client sends is visible to anyone else
// until `finish` commits; every other way out rolls back.
import type Database from 'better-sqlite3';
import type { ChunkableIds } from './sync-data/chunks.js';

type SessionState =
  /** The transaction is open and the session accepts requests. */
  | 'open'
  /** Rolled back after a bad sanity check; the client is expected to send abort. */
  | 'rolled-back'
  /** Committed or aborted: nothing left to undo. */
  | 'over';

export class NormalSyncSession {
  private state: SessionState = 'open';
  /** The server's revlog/card/note ids still to send; gathered on the first `chunk`. */
  serverChunkIds: ChunkableIds | null = null;
  /** Objects and deletions received from the client and sent to it, for the activity list. */
  readonly moved = { fromClient: 0, toClient: 0 };

  private constructor(
    readonly sessionKey: string,
    readonly db: Database.Database,
    /** The server's `col.usn` at start: every row written during the session carries it. */
    readonly serverUsn: number,
    /** The client's minUsn: server rows at or above it are new to this client. */
    readonly clientUsn: number,
    /** `lnewer`: when true the client's config wins and the server sends none. */
    readonly clientIsNewer: boolean,
  ) {}

  /** Reads the server usn, then opens the session's transaction. */
  static begin(db: Database.Database, sessionKey: string, clientUsn: number, clientIsNewer: boolean): NormalSyncSession {
    const { usn } = db.prepare('SELECT usn FROM col').get() as { usn: number };
    db.exec('BEGIN IMMEDIATE');
    return new NormalSyncSession(sessionKey, db, usn, clientUsn, clientIsNewer);
  }

  /** Whether requests may still run inside this session's transaction on `db`. */
  isUsableWith(db: Database.Database): boolean {
    return this.state === 'open' && db === this.db && this.db.open && this.db.inTransaction;
  }

  /** Committed or rolled back for good: the user no longer has a sync in progress. */
  isOver(): boolean {
    return this.state === 'over';
  }

  wasRolledBack(): boolean {
    return this.state === 'rolled-back';
  }

  /** Ends the session keeping everything it wrote. */
  commit(): void {
    if (this.state !== 'open') throw new Error('commit of a sync session that is not open');
    this.db.exec('COMMIT');
    this.state = 'over';
  }

  rollback(): void {
    this.undo();
    this.state = 'over';
  }

  /** Undoes everything since start but keeps the session known, so the client's abort finds it. */
  rollbackKeepingSession(): void {
    this.undo();
    if (this.state === 'open') this.state = 'rolled-back';
  }

  private undo(): void {
    if (this.state === 'open' && this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
  }
}
