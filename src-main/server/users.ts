// The server's accounts and their Users, in one registry, as the reference's
// SimpleServerInner keeps `users` (rslib/src/sync/http_server/mod.rs): who may
// log in, the User of each account a request has touched, and the lifecycle of
// an account (its folder prepared at start, added, renamed, removed, its files
// closed for a restore or when SYNC_BASE goes away). The pipeline asks it for a
// request's account and User; the server asks it to change the accounts.
import type { PayloadLimits, ActivityEvent } from './protocol.js';
import type { UserAccount } from './config/config.js';
import { AuthFailedError, StorageMissingError } from './errors.js';
import { User } from './user.js';
import { UserDirectory } from './auth/user-directory.js';
import { checkUsernames } from './auth/usernames.js';
import { hostKeyMethod, type LoginOutcome } from './auth/host-key-method.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.js';
import type { LearnerNotices } from './report/learner-notices.js';
import type { Logger } from './report/log.js';
import { createUserFolders, serverFolder, userPaths } from './storage/user-paths.js';
import { removeSpoolLeftovers, spoolPath } from './storage/spool-files.js';
import { StoragePresence, type StorageChange } from './storage/storage-presence.js';
import { openToOthers } from './storage/private-files.js';
import { makeFolder } from './storage/durable.js';
import { SpoolQuota } from './envelope/spool-quota.js';
import type { LegacySpill } from './envelope/legacy-multipart.js';
import type { SnapshotKeeper } from './storage/snapshots/snapshot-keeper.js';
import type { AccountAccess } from './storage/snapshots/account-access.js';
import { accountSnapshots } from './storage/snapshots/account-snapshots.js';
import { removeLeftovers } from './storage/snapshots/snapshot-folder.js';
import { SnapshotError, type AccountSnapshots } from './storage/snapshots/snapshot-types.js';

export type { UserAccount } from './config/config.js';

export interface UsersOptions {
  readonly baseFolder: string;
  readonly limits: PayloadLimits;
  readonly notices: LearnerNotices;
  /** An account's files close after this long without a request (SYNC_IDLE_CLOSE_SECS); 0 keeps them open. */
  readonly idleCloseMs: number;
  /** Login throttling (tests shorten its delays). */
  readonly loginThrottle?: Partial<LoginThrottleOptions> | undefined;
  /** Legacy data sent before its key is spooled in the server's own folder, at most this many bytes at once. */
  readonly preAuthSpoolBytes: number;
  readonly logger: Logger;
  record(event: ActivityEvent): void;
  /** The accounts' snapshots (storage/snapshots/); without it, a full upload keeps nothing and no snapshot is taken. */
  readonly snapshots?: SnapshotKeeper;
}

/** Thrown when an account's folder or media.db cannot be prepared at start. */
export class FolderError extends Error {}

export class Users {
  private accounts: UserDirectory;
  /** One per account that a request, a start or a restore has touched since the server started. */
  private readonly users = new Map<string, User>();
  /** Checked before any request touches a user's files: SYNC_BASE may be on a drive that goes away. */
  private readonly storage: StoragePresence;
  private readonly loginThrottle: LoginThrottle;
  private readonly preAuthQuota: SpoolQuota;

  constructor(
    accounts: readonly UserAccount[],
    private readonly options: UsersOptions,
  ) {
    this.accounts = directoryFor(accounts);
    this.storage = new StoragePresence(options.baseFolder, (change) => this.storageChanged(change));
    this.loginThrottle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, ...options.loginThrottle });
    this.preAuthQuota = new SpoolQuota(options.preAuthSpoolBytes);
  }

  /** The accounts in force: host keys, names, passwords. */
  get directory(): UserDirectory {
    return this.accounts;
  }

  /** Checks a `{"u","p"}` body, throttled (auth/login-throttle.ts). */
  login(body: Buffer, clientIp: string): Promise<LoginOutcome> {
    return hostKeyMethod(this.accounts, body, this.loginThrottle, clientIp);
  }

  /** The account's User, made on first use; 403 for an account no longer on the server (removed or renamed meanwhile). */
  userFor(account: UserAccount): User {
    this.storage.check();
    let user = this.users.get(account.name);
    if (user === undefined) {
      if (!this.accounts.has(account.name)) throw new AuthFailedError('invalid hkey: the account left the server');
      const paths = userPaths(this.options.baseFolder, account.name);
      // A user added while running gets the folders the others got at start.
      createUserFolders(paths);
      user = new User(
        account.name,
        paths,
        this.options.limits,
        (event) => this.options.record(event),
        this.options.notices,
        this.options.idleCloseMs,
      );
      const keeper = this.options.snapshots;
      if (keeper !== undefined) {
        user.keepReplaced = async (old, media) => {
          await keeper.keepReplaced(paths, account.name, old, 'before-full-upload', media.liveFiles());
        };
      }
      this.users.set(account.name, user);
    }
    return user;
  }

  /** A write of the account's committed: if it changed the account, a snapshot may follow (SYNC_SNAPSHOT_MINUTES). */
  committed(account: UserAccount): void {
    const user = this.users.get(account.name);
    if (user === undefined || !user.takeChanged() || this.options.snapshots === undefined) return;
    this.options.snapshots.afterWrite(this.accessOf(user));
  }

  /** The account's snapshots, through its User and under its lock; SnapshotError('no-such-account') for a name not served. */
  snapshots(username: string): AccountSnapshots {
    const keeper = this.options.snapshots;
    const account = this.accounts.accounts.find((candidate) => candidate.name === username);
    if (keeper === undefined || account === undefined) {
      return refusing(new SnapshotError('no-such-account', `There is no account named ${JSON.stringify(username)} on this server.`));
    }
    let user: User;
    try {
      user = this.userFor(account);
    } catch (error) {
      // The storage folder gone (a drive unplugged): every answer says so, none throws at the caller.
      if (!(error instanceof StorageMissingError)) throw error;
      const sentence = `The storage folder ${this.options.baseFolder} is not there any more. If it is on a drive, reconnect the drive.`;
      return refusing(new SnapshotError('storage-missing', sentence, { cause: error }));
    }
    return accountSnapshots(keeper, this.accessOf(user), this.options.logger);
  }

  /** What the snapshots need of the account, each under its lock. */
  private accessOf(user: User): AccountAccess {
    return {
      username: user.username,
      paths: user.paths,
      withCollection: (work) =>
        user.withLock(async () => {
          if (user.syncInProgress()) return work(null, user.mediaStore(), false);
          return user.withCollection((db) => work(db, user.mediaStore(), user.collectionHeldExclusively()));
        }),
      withCollectionClosed: (work) =>
        user.withLock(async () => {
          user.closeFiles();
          return work(() => user.mediaStore());
        }),
    };
  }

  /** A fresh path for a spooled body inside the user's folder. */
  spoolPath(account: UserAccount): string {
    return spoolPath(this.userFor(account).paths.folder, 'upload');
  }

  /** Where legacy data sent before its key is spooled: the server's own folder, under a quota. */
  preAuthSpill(): LegacySpill {
    this.storage.check();
    return { path: spoolPath(serverFolder(this.options.baseFolder), 'upload'), quota: this.preAuthQuota };
  }

  /** SYNC_BASE, the server's own folder (what an earlier run spooled there removed), and every account's folders and media.db. */
  async prepareFolders(): Promise<void> {
    const { baseFolder, logger } = this.options;
    await makeFolder(baseFolder);
    const openMode = openToOthers(baseFolder);
    if (openMode !== null) {
      logger.warn('SYNC_BASE can be read by other accounts on this computer; its mode is left as it is', {
        path: baseFolder,
        mode: openMode,
      });
    }
    const ownFolder = serverFolder(baseFolder);
    await makeFolder(ownFolder);
    await removeSpoolLeftovers(ownFolder);
    for (const account of this.accounts.accounts) await this.prepareFolder(account);
  }

  /**
   * Replaces the accounts; takes effect for the next request. Removed users'
   * open syncs are rolled back and their files closed; their data stays on disk.
   */
  async setUsers(accounts: readonly UserAccount[]): Promise<void> {
    // Validation throws before anything changes; the swap itself is synchronous.
    this.accounts = directoryFor(accounts);
    await this.retireUsers((name) => this.accounts.has(name));
  }

  /** See SyncServer.renameUser. */
  async renameUser(from: string, accounts: readonly UserAccount[], moveFolder: () => Promise<void>): Promise<void> {
    const next = directoryFor(accounts);
    await this.withUserFilesClosed(from, async () => {
      await moveFolder();
      this.accounts = next;
      this.users.get(from)?.retire();
      this.users.delete(from);
    });
    await this.retireUsers((name) => this.accounts.has(name));
  }

  /** See SyncServer.withUserFilesClosed. */
  async withUserFilesClosed<T>(username: string, work: () => Promise<T>): Promise<T> {
    const account = this.accounts.accounts.find((candidate) => candidate.name === username);
    if (account === undefined) return work();
    const user = this.userFor(account);
    return user.withLock(async () => {
      user.closeFiles();
      return work();
    });
  }

  /**
   * SYNC_BASE went away or came back. When it goes, every user's files are
   * closed (under their locks, after the request in progress): a handle on a
   * removed drive would fail for ever, and the files must reopen from the drive
   * once it is back.
   */
  storageChanged(change: StorageChange): void {
    const at = Date.now();
    if (change.present) this.options.logger.info(change.sentence);
    else this.options.logger.error(change.sentence);
    this.options.record({ kind: 'storage', username: '', clientIp: '', at, detail: change.sentence, failed: !change.present });
    if (change.present) return;
    for (const user of this.users.values()) void user.withLock(async () => user.closeFiles()).catch(() => undefined);
  }

  /** Every User leaves: open syncs rolled back, files closed, waiting requests refused (at stop, or a start that failed). */
  retireAll(): Promise<void> {
    return this.retireUsers(() => false);
  }

  /** Every user `keep` refuses leaves the server. */
  private async retireUsers(keep: (name: string) => boolean): Promise<void> {
    for (const [name, user] of this.users) {
      if (keep(name)) continue;
      this.users.delete(name);
      await user.withLock(async () => user.retire()).catch(() => undefined);
    }
  }

  /** The user's folder, media folder and media.db exist from the start, as with the official server; stale spool files go. */
  private async prepareFolder(account: UserAccount): Promise<void> {
    const paths = userPaths(this.options.baseFolder, account.name);
    createUserFolders(paths);
    const leftovers = await removeSpoolLeftovers(paths.folder);
    // A snapshot a crash interrupted leaves only its temporary file, removed now (nothing writes one yet).
    await removeLeftovers(paths);
    if (leftovers.length > 0)
      this.options.logger.info('removed temporary files an earlier run left', { uid: account.name, files: leftovers.length });
    // media.db is opened (created, migrated) now and held for the server's life, as the official server does.
    try {
      this.userFor(account).mediaStore();
    } catch (error) {
      const why = /locked|busy/i.test(String(error)) ? 'it is in use (is another sync server running on this folder?)' : String(error);
      throw new FolderError(`couldn't open ${paths.mediaDb}: ${why}`, { cause: error });
    }
  }
}

function directoryFor(accounts: readonly UserAccount[]): UserDirectory {
  const problem = checkUsernames(accounts.map((account) => account.name));
  if (problem !== null) throw new Error(problem);
  return new UserDirectory(accounts);
}

/** Snapshots of an account that cannot have any now: each answer is `error`. */
function refusing(error: SnapshotError): AccountSnapshots {
  const refuse = (): Promise<never> => Promise.reject(error);
  return { list: refuse, take: refuse, restore: refuse, extractCollection: refuse, mediaFiles: refuse, spaceBytes: refuse };
}
