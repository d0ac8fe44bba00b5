// Takes, keeps and prunes an account's snapshots (issue 24), for the whole
// server: one object, so that it knows when each account's last automatic
// snapshot was taken (SYNC_SNAPSHOT_MINUTES), runs one account's snapshot work
// at a time (a take, a compression, a prune, a restore), and one compression at
// a time for everyone, so that a snapshot never takes more than one core from
// the others' syncs.
//
// A snapshot is read from a consistent image of the collection
// (collection-image.ts): the account's lock is held only while the image is
// made, its counts and its media list read; compression runs in a worker, at low
// priority, while the account syncs on. It is written under a temporary name,
// fsynced, renamed, and the folder fsynced: a crash leaves the older snapshots
// and no partial file.
import { closeSync, copyFileSync, existsSync, fstatSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { collectionImage, type CollectionImage } from '../collection-image.js';
import { isOutOfSpace as isOutOfSpaceError } from '../../errors.js';
import { makeFolder, syncFile, syncFolder } from '../durable.js';
import { openDatabase } from '../sqlite.js';
import { spoolPath } from '../spool-files.js';
import type { Logger } from '../../report/log.js';
import type { ActivityEvent } from '../../protocol.js';
import type { StorageSpace } from '../storage-space.js';
import type { UserPaths } from '../user-paths.js';
import { countsOf, type AccountAccess } from './account-access.js';
import { readMediaList, writeMediaList, type MediaListEntry } from './media-list.js';
import { pruneTrash, trashBytes } from './media-trash.js';
import { snapshotsToKeep } from './retention.js';
import { findSnapshot, removeLeftovers, removeSnapshot, snapshotBytes, snapshotFiles, type SnapshotFiles } from './snapshot-folder.js';
import { COMPRESSED_SUFFIX, MEDIA_SUFFIX, RAW_SUFFIX, snapshotId, TEMP_PREFIX, type Counts } from './snapshot-names.js';
import { SnapshotError, type SnapshotEntry, type SnapshotKind } from './snapshot-types.js';
import { runInWorker } from './worker-jobs.js';
import { copyToSecondFolder, pruneSecondFolder, SecondCopyError } from './second-copy.js';

export interface SnapshotKeeperOptions {
  /** SYNC_SNAPSHOT_MINUTES: 60 when absent. */
  readonly minutes?: number | 'off' | undefined;
  /** SYNC_SNAPSHOT_DIR. */
  readonly snapshotDir?: string | null | undefined;
  readonly logger: Logger;
  /** The activity list: warnings (a snapshot skipped on a nearly full disk, a second copy not written). */
  readonly record?: ((event: ActivityEvent) => void) | undefined;
  /** How full the storage disk is; absent: never checked. */
  readonly space?: StorageSpace | undefined;
  /**
   * An account's snapshots changed on disk (one kept, taken, compressed or
   * pruned): the window lists them again. Work in the background ends after the
   * sync that caused it was answered, so nothing else would tell it.
   */
  readonly changed?: ((username: string) => void) | undefined;
  /** The clock (tests move it). */
  readonly now?: (() => number) | undefined;
}

type TakenKind = Exclude<SnapshotKind, 'old-backup'>;

const MINUTE_MS = 60_000;
/** While a normal sync is open the collection cannot be read as committed; a snapshot waits this long between tries. */
const SYNC_OPEN_RETRY_MS = 500;
const SYNC_OPEN_TRIES = 120;

/** The sentence for the activity list and the log when a snapshot is skipped for lack of space. */
export function lowDiskSentence(username: string): string {
  return `No snapshot of ${username}'s collection was taken: the storage disk is nearly full. Syncing goes on; free some space so snapshots can resume.`;
}

export class SnapshotKeeper {
  private readonly now: () => number;
  /** Each account's snapshot work, one after another. */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Compressions, one at a time for the whole server. */
  private compressing: Promise<unknown> = Promise.resolve();
  /** When each account's last automatic snapshot was started. */
  private readonly lastAuto = new Map<string, number>();
  /** Accounts with an automatic snapshot queued or running, and whether another write came meanwhile. */
  private readonly queued = new Map<string, boolean>();
  private readonly background = new Set<Promise<unknown>>();
  /** Set while the server stops: no automatic snapshot starts, and one waiting for an open sync gives up. */
  private stopping = false;

  constructor(private readonly options: SnapshotKeeperOptions) {
    this.now = options.now ?? Date.now;
  }

  get minutes(): number | 'off' {
    return this.options.minutes ?? 60;
  }

  /** The server stops: automatic snapshots stop being started, and one waiting for a sync to end gives up; then settled(). */
  stop(): Promise<void> {
    this.stopping = true;
    return this.settled();
  }

  /** The server starts (again). */
  resume(): void {
    this.stopping = false;
  }

  /** Every background snapshot, compression and prune started so far has ended (tests; the server's stop). */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /**
   * A committed write changed the account: an automatic snapshot, unless one
   * was started less than SYNC_SNAPSHOT_MINUTES ago. It runs in the
   * background; the sync that caused it is answered meanwhile.
   */
  afterWrite(access: AccountAccess): void {
    const minutes = this.minutes;
    if (minutes === 'off' || this.stopping) return;
    const name = access.username;
    if (this.queued.has(name)) {
      // One runs: with snapshots after every sync, one more follows it.
      if (minutes === 0) this.queued.set(name, true);
      return;
    }
    const last = this.lastAuto.get(name);
    if (last !== undefined && this.now() - last < minutes * MINUTE_MS) return;
    this.queued.set(name, false);
    this.lastAuto.set(name, this.now());
    this.inBackground(
      (async () => {
        try {
          await this.take(access, 'after-sync');
        } catch (error) {
          this.options.logger.warn('snapshot not taken', { uid: name, error: String(error) });
        } finally {
          const again = this.queued.get(name) === true;
          this.queued.delete(name);
          if (again) this.afterWrite(access);
        }
      })(),
    );
  }

  /**
   * A snapshot of the collection as it stands (`manual`: whatever
   * SYNC_SNAPSHOT_MINUTES says). Skipped, with a warning, when the disk is
   * nearly full: then it resolves with null for an automatic snapshot, and
   * rejects with 'no-room' for a manual one.
   */
  async take(access: AccountAccess, kind: 'after-sync'): Promise<SnapshotEntry | null>;
  async take(access: AccountAccess, kind: 'manual'): Promise<SnapshotEntry>;
  async take(access: AccountAccess, kind: 'after-sync' | 'manual'): Promise<SnapshotEntry | null> {
    return this.inTurn(access.username, async () => {
      if (this.diskNearlyFull(access.paths)) {
        this.warn(access.username, lowDiskSentence(access.username));
        if (kind === 'manual') throw new SnapshotError('no-room', lowDiskSentence(access.username));
        return null;
      }
      const captured = await this.capture(access);
      try {
        return await this.writeSnapshot(access, kind, captured);
      } catch (error) {
        if (!isOutOfSpace(error)) throw error;
        this.options.space?.noteOutOfSpace();
        this.warn(access.username, lowDiskSentence(access.username));
        if (kind === 'manual') throw new SnapshotError('no-room', lowDiskSentence(access.username), { cause: error });
        return null;
      } finally {
        captured.release();
      }
    });
  }

  /**
   * Keeps `collection` (closed, checkpointed, about to be replaced: a full
   * upload, a restore) as a snapshot of `kind`, at once and durably: a hard
   * link (a copy where links fail) and its media list, the folder fsynced.
   * Called under the account's lock; compressed later, in the background.
   */
  async keepReplaced(
    paths: UserPaths,
    username: string,
    collection: string,
    kind: 'before-full-upload' | 'before-restore',
    media: readonly MediaListEntry[],
  ): Promise<SnapshotEntry> {
    const counts = countsOfFile(collection);
    await makeFolder(paths.snapshots);
    const id = this.freshId(paths, kind, counts);
    writeMediaList(join(paths.snapshots, id + MEDIA_SUFFIX), media);
    const raw = join(paths.snapshots, id + RAW_SUFFIX);
    try {
      linkSync(collection, raw);
    } catch {
      const temp = join(paths.snapshots, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}${RAW_SUFFIX}`);
      copyFileSync(collection, temp);
      await syncFile(temp);
      renameSync(temp, raw);
    }
    // Its name is on disk before the collection it keeps is replaced.
    await syncFolder(paths.snapshots);
    const files = await findSnapshot(paths, id);
    if (files === null) throw new Error(`the snapshot ${id} just kept is not there`);
    this.options.changed?.(username);
    this.inBackground(this.inTurn(username, () => this.compressKept(paths, username, files)));
    return files.entry;
  }

  /** Removes the snapshots retention no longer keeps, the files a crash left, and trash no snapshot needs. */
  async prune(paths: UserPaths, username: string): Promise<void> {
    await removeLeftovers(paths);
    const all = await snapshotFiles(paths);
    const keep = snapshotsToKeep(
      all.map((files) => files.entry),
      this.now(),
    );
    for (const files of all) if (!keep.has(files.entry.id)) await removeSnapshot(files);
    if (this.options.snapshotDir) pruneSecondFolder(this.options.snapshotDir, username, keep);
    if (existsSync(paths.mediaTrash))
      pruneTrash(paths.mediaTrash, neededMedia(all.filter((files) => keep.has(files.entry.id))), this.now());
  }

  /** Runs `work` in the account's turn (restores and reads that must not meet a prune). */
  inTurn<T>(username: string, work: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(username) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.turns.set(username, tail);
    void tail.then(() => {
      if (this.turns.get(username) === tail) this.turns.delete(username);
    });
    return run;
  }

  /** A background task, awaited by settled(); its failure is logged, never thrown. */
  inBackground(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => this.options.logger.warn('snapshot work failed', { error: String(error) }))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private diskNearlyFull(paths: UserPaths): boolean {
    const space = this.options.space;
    if (space === undefined) return false;
    const view = space.view(true);
    // The account's own threshold (by default twice its collection, at least 256 MiB): a snapshot,
    // a fraction of the collection once compressed, then leaves room for the syncs. A disk that fills
    // while one is written is caught there (ENOSPC): its temporary file goes.
    return view.failingSince !== null || view.freeBytes < space.lowBytesFor(fileSize(paths.collection));
  }

  private warn(username: string, sentence: string): void {
    this.options.logger.warn(sentence, { uid: username });
    this.options.record?.({ kind: 'snapshot', username, clientIp: '', at: this.now(), detail: sentence, warning: true });
  }

  /** The collection's image, counts and media list, read under the account's lock, once no normal sync is open. */
  private async capture(
    access: AccountAccess,
  ): Promise<{ image: CollectionImage; counts: Counts; media: MediaListEntry[]; release(): void }> {
    for (let tries = 0; ; tries++) {
      const captured = await access.withCollection((db, media, heldExclusively) => {
        if (db === null) return null;
        const image = collectionImage(db, access.paths.collection, {
          exclusive: heldExclusively,
          scratchPath: () => spoolPath(access.paths.folder, 'image'),
        });
        try {
          return { image, counts: countsOf(db), media: media.liveFiles() };
        } catch (error) {
          if (image.kind === 'file') image.release();
          throw error;
        }
      });
      if (captured !== null) return { ...captured, release: () => (captured.image.kind === 'file' ? captured.image.release() : undefined) };
      if (tries >= SYNC_OPEN_TRIES || this.stopping) throw new Error('a normal sync stayed open');
      await new Promise((resolve) => setTimeout(resolve, SYNC_OPEN_RETRY_MS));
    }
  }

  private async writeSnapshot(
    access: AccountAccess,
    kind: 'after-sync' | 'manual',
    captured: { image: CollectionImage; counts: Counts; media: MediaListEntry[] },
  ): Promise<SnapshotEntry> {
    const { paths, username } = access;
    await makeFolder(paths.snapshots);
    const id = this.freshId(paths, kind, captured.counts);
    const media = join(paths.snapshots, id + MEDIA_SUFFIX);
    const temp = join(paths.snapshots, `${TEMP_PREFIX}${id}${COMPRESSED_SUFFIX}`);
    try {
      writeMediaList(media, captured.media);
      const source = captured.image.kind === 'file' ? { fd: captured.image.fd, size: captured.image.size } : { data: captured.image.data };
      await this.compress({ source, target: temp });
      renameSync(temp, join(paths.snapshots, id + COMPRESSED_SUFFIX));
      await syncFolder(paths.snapshots);
    } catch (error) {
      rmSync(temp, { force: true });
      if (!existsSync(join(paths.snapshots, id + COMPRESSED_SUFFIX))) rmSync(media, { force: true });
      throw error;
    }
    const files = await findSnapshot(paths, id);
    if (files === null) throw new Error(`the snapshot ${id} just written is not there`);
    this.secondCopy(username, files);
    await this.prune(paths, username);
    // The account's whole snapshot space (and its media trash), as the window shows it: a log reader sees it grow.
    const accountBytes = (await snapshotBytes(paths)) + trashBytes(paths.mediaTrash);
    this.options.logger.info('snapshot taken', { uid: username, id, bytes: files.entry.bytes, account_bytes: accountBytes });
    this.options.changed?.(username);
    return files.entry;
  }

  /** A kept collection (a raw hard link) compressed in place of its raw form. */
  private async compressKept(paths: UserPaths, username: string, files: SnapshotFiles): Promise<void> {
    if (files.compressed) return;
    const id = files.entry.id;
    const temp = join(paths.snapshots, `${TEMP_PREFIX}${id}${COMPRESSED_SUFFIX}`);
    const fd = openSync(files.collection, 'r');
    try {
      await this.compress({ source: { fd, size: fstatSync(fd).size }, target: temp });
      renameSync(temp, join(paths.snapshots, id + COMPRESSED_SUFFIX));
      await syncFolder(paths.snapshots);
    } catch (error) {
      rmSync(temp, { force: true });
      // The raw form stays: it is a whole snapshot, only larger.
      if (isOutOfSpace(error)) return;
      throw error;
    } finally {
      closeSync(fd);
    }
    rmSync(files.collection, { force: true });
    const compressed = await findSnapshot(paths, id);
    if (compressed !== null) this.secondCopy(username, compressed);
    await this.prune(paths, username);
    this.options.changed?.(username);
  }

  private compress(job: { source: { fd: number; size: number } | { data: Buffer }; target: string }): Promise<number> {
    const run = this.compressing.then(() => runInWorker({ kind: 'compress', ...job, lowPriority: true }));
    this.compressing = run.catch(() => undefined);
    return run;
  }

  private secondCopy(username: string, files: SnapshotFiles): void {
    const folder = this.options.snapshotDir;
    if (!folder) return;
    try {
      copyToSecondFolder(folder, username, files);
    } catch (error) {
      const why =
        error instanceof SecondCopyError ? error.message : `Snapshots of ${username} could not be copied to ${folder}: ${String(error)}.`;
      this.warn(username, why);
    }
  }

  private freshId(paths: UserPaths, kind: TakenKind, counts: Counts): string {
    for (let at = this.now(); ; at++) {
      const id = snapshotId(at, kind, counts);
      if (![COMPRESSED_SUFFIX, RAW_SUFFIX, MEDIA_SUFFIX].some((suffix) => existsSync(join(paths.snapshots, id + suffix)))) return id;
    }
  }
}

function countsOfFile(collection: string): Counts {
  // Not read-only: the file has no side files now, and a read-only connection could not make its -shm.
  const db = openDatabase(collection, { fileMustExist: true });
  try {
    return countsOf(db);
  } finally {
    db.close();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A write refused for lack of space, in this thread or (by its message) in the worker. */
function isOutOfSpace(error: unknown): boolean {
  return isOutOfSpaceError(error) || /ENOSPC|no space left|database or disk is full/i.test(String(error));
}

/** The sha1s the kept snapshots' media lists name: trash they need. */
function neededMedia(kept: readonly SnapshotFiles[]): Set<string> {
  const needed = new Set<string>();
  for (const files of kept) {
    if (files.media === null) continue;
    try {
      for (const entry of readMediaList(files.media)) needed.add(entry.sha1);
    } catch {
      // A damaged list needs nothing.
    }
  }
  return needed;
}
