// One account's state for the life of the server, as the reference keeps it
// (rslib/src/sync/http_server/user.rs): the collection handle, the normal sync
// in progress, the media store, and the lock every request of the account runs
// under. Handlers reach the collection and the sync only through this class,
// so the rules for them (open on first use, one sync at a time, a failed step
// rolls the whole sync back) are written once, here.
import type Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { LearnerNotices } from './report/learner-notices.js';
import { AuthFailedError, BadRequestError, ConflictError, isOutOfSpace, ServerFaultError, SyncError } from './errors.js';
import { requireSessionKey, type ActivityEvent, type PayloadLimits, type SyncRequest } from './protocol.js';
import type { UserPaths } from './storage/user-paths.js';
import { NormalSyncSession } from './collection/normal-sync-session.js';
import { MediaStore } from './media/media-store.js';
import { openCollection, openCollectionWithoutSpace } from './storage/collection-file.js';
import { QuietTimer } from './storage/quiet-timer.js';
import { releaseFreeMemorySoon } from './storage/free-memory.js';

/** SYNC_IDLE_CLOSE_SECS' default (config-schema.ts), for Users made without a setting. */
const DEFAULT_IDLE_CLOSE_MS = 600_000;

export class User {
  private col: Database.Database | null = null;
  /** The collection was opened without disk space (openCollectionWithoutSpace): exclusively, read-mostly. */
  private colWithoutSpace = false;
  private sync: NormalSyncSession | null = null;
  private media: MediaStore | null = null;
  /** The end of the queue of work under this user's lock. */
  private lockTail: Promise<void> = Promise.resolve();
  /** Set when the account leaves the server (removed, renamed, server stopped). */
  private retired = false;
  /** Closes the files once no request has come for idleCloseMs (quiet-timer.ts). */
  private readonly quiet: QuietTimer;
  /** A committed write changed the collection or the media since the last look (takeChanged). */
  private changed = false;
  /**
   * Keeps a collection a full upload is about to replace (closed, whole) as a
   * snapshot (storage/snapshots/); set by the Users. Without it nothing is kept.
   */
  keepReplaced: ((old: string, media: MediaStore) => Promise<void>) | null = null;

  constructor(
    readonly username: string,
    readonly paths: UserPaths,
    readonly limits: PayloadLimits,
    /** Reports something a learner may want to see in the activity list. */
    readonly record: (event: ActivityEvent) => void,
    /** What the server has to tell this account's learners in Anki (meta's msg). */
    private readonly notices: LearnerNotices | null = null,
    /** The files close after this long without a request (SYNC_IDLE_CLOSE_SECS); 0 keeps them open. */
    idleCloseMs = DEFAULT_IDLE_CLOSE_MS,
  ) {
    this.quiet = new QuietTimer(idleCloseMs, () => this.closeWhenQuiet());
  }

  /**
   * The quiet period is over: the files close, and reopen on the next request.
   * Never while a normal sync is open (its transaction lives in the handle):
   * the close is put off for another period then.
   */
  private closeWhenQuiet(): void {
    if (this.retired || !this.quiet.isQuiet()) return;
    if (this.sync !== null) {
      this.quiet.restart();
      return;
    }
    this.closeFiles();
    // What the closed files freed goes back to the system, not only to malloc (storage/free-memory.ts).
    releaseFreeMemorySoon();
  }

  /**
   * The message for `meta` from this device (its address and client): a notice
   * it has not been told yet, HTML-escaped, or ''.
   */
  noticeFor(device: string, scm?: number): string {
    if (this.notices === null) return '';
    return this.notices.messageFor(
      { name: this.username, bytes: this.bytesOnDisk(), folder: this.paths.folder, ...(scm === undefined ? {} : { scm }) },
      device,
    );
  }

  /** The collection and media this account keeps on the storage disk, in bytes. */
  private bytesOnDisk(): number {
    let collection = 0;
    try {
      collection = statSync(this.paths.collection).size;
    } catch {
      // Not created yet.
    }
    return collection + this.mediaStore().totalBytes();
  }

  /**
   * Runs `work` after every earlier holder's. The event loop interleaves
   * requests at every `await`; one user's must not (a meta from one device
   * during another's applyChunk), while different users never wait for each
   * other. The official server holds one lock for everyone instead. Work that
   * was waiting when the account left the server is refused, as an outdated
   * host key: nothing is then opened or created under its old name.
   */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.lockTail;
    let release!: () => void;
    this.lockTail = new Promise<void>((resolve) => (release = resolve));
    this.quiet.enter();
    try {
      await previous;
      if (this.retired) throw new AuthFailedError('invalid hkey: the account left the server');
      return await work();
    } finally {
      this.letGoOfHandleWithoutSpace();
      release();
      this.quiet.leave();
    }
  }

  /**
   * A handle opened without disk space shuts every other reader out, and the
   * space may be back by the next request: it is closed after each request,
   * unless a normal sync still needs its transaction.
   */
  private letGoOfHandleWithoutSpace(): void {
    if (this.colWithoutSpace && this.sync === null) this.closeCollection();
  }

  /** A committed write changed the account (a normal sync's changes from a device, a full upload, media added or removed). */
  noteChanged(): void {
    this.changed = true;
  }

  /** Whether the account changed since the last call: an automatic snapshot is due. */
  takeChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** True between a normal sync's `start` and its end: its transaction lives in the collection handle. */
  syncInProgress(): boolean {
    return this.sync !== null;
  }

  /** True while the collection is held exclusively for lack of space: no second connection can read it. */
  collectionHeldExclusively(): boolean {
    return this.col !== null && this.colWithoutSpace;
  }

  /**
   * `work` with the collection, opened (created empty if missing) on first use;
   * 500 `open collection` if it cannot be. On a full disk it is opened without
   * space (reads work, writes answer 507), and 507 if it must be created.
   */
  withCollection<T>(work: (db: Database.Database) => T): T {
    if (this.col === null) {
      try {
        this.col = this.openCollectionHandle();
        this.restartQuietOutsideRequests();
      } catch (error) {
        if (error instanceof SyncError) throw error;
        throw new ServerFaultError('open collection', { cause: error });
      }
    }
    return work(this.col);
  }

  private openCollectionHandle(): Database.Database {
    try {
      this.colWithoutSpace = false;
      return openCollection(this.paths.collection);
    } catch (error) {
      if (!isOutOfSpace(error) || !existsSync(this.paths.collection)) throw error;
      const db = openCollectionWithoutSpace(this.paths.collection);
      this.colWithoutSpace = true;
      return db;
    }
  }

  /** Closes the collection handle (rolling back any open transaction), e.g. before a full upload replaces it. */
  closeCollection(): void {
    const db = this.col;
    if (db === null) return;
    this.col = null;
    this.colWithoutSpace = false;
    if (db.inTransaction) db.exec('ROLLBACK');
    // Closing the last connection checkpoints the WAL into the file and deletes it.
    db.close();
  }

  /** Replaces any sync in progress with a new one whose transaction starts now (`start`). */
  startSync(sessionKey: string, clientUsn: number, clientIsNewer: boolean): void {
    this.abortSync();
    this.sync = this.withCollection((db) => NormalSyncSession.begin(db, sessionKey, clientUsn, clientIsNewer));
  }

  /**
   * Cancels the normal sync in progress, whatever its session key: `meta`,
   * `abort`, `upload`, `download` and a new `start` all do this. Like the
   * reference, the collection handle goes too, so nothing of the cancelled
   * sync's transaction can survive.
   */
  abortSync(): void {
    const active = this.sync;
    if (active === null) return;
    this.sync = null;
    try {
      active.rollback();
    } finally {
      this.closeCollection();
    }
  }

  /**
   * One step after `start` (docs/protocol/collection-sync.md §2.3): the session
   * key must be present (400) and name the sync in progress (409). A failure
   * while the step runs, its parse of the request included, rolls the whole
   * sync back, forgets it and answers 400, which tells the client to run Check
   * Database rather than retry blindly. A step that ends the session (`finish`)
   * leaves no sync in progress.
   */
  async withSyncSession<T>(request: SyncRequest, step: (session: NormalSyncSession) => T | Promise<T>): Promise<T> {
    const key = requireSessionKey(request);
    const active = this.sync;
    if (active === null) throw new ConflictError(`${request.method}: no active sync`);
    if (active.sessionKey !== key) throw new ConflictError(`${request.method}: another sync is active`);
    if (active.wasRolledBack()) {
      this.abortSync();
      throw new BadRequestError(`${request.method}: the sync was already rolled back`);
    }
    if (this.col === null || !active.isUsableWith(this.col)) {
      // The collection was closed under the session: its transaction is gone, as after a restart.
      this.abortSync();
      throw new ConflictError(`${request.method}: the sync's transaction no longer exists`);
    }
    try {
      const result = await step(active);
      if (active.isOver() && this.sync === active) this.sync = null;
      return result;
    } catch (error) {
      this.abortSync();
      if (error instanceof BadRequestError) throw error;
      throw new BadRequestError(`${request.method} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  /** The media folder and database, opened (created, migrated) on first use and held until the user's files close. */
  mediaStore(): MediaStore {
    if (this.media === null) {
      this.media = MediaStore.open(this.paths);
      this.restartQuietOutsideRequests();
    }
    return this.media;
  }

  /** Files opened outside a request (media.db at start-up, the app reading counts) close when quiet too. */
  private restartQuietOutsideRequests(): void {
    if (this.quiet.isQuiet()) this.quiet.restart();
  }

  /** Rolls back any normal sync and closes the collection and media database; they reopen on next use. */
  closeFiles(): void {
    const active = this.sync;
    this.sync = null;
    try {
      active?.rollback();
    } finally {
      try {
        this.closeCollection();
      } finally {
        const media = this.media;
        this.media = null;
        media?.close();
      }
    }
  }

  /** The account left the server: its files are closed and work still waiting for its lock is refused. */
  retire(): void {
    this.retired = true;
    this.quiet.cancel();
    this.closeFiles();
  }
}
