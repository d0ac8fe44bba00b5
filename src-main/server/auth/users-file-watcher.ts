// Accounts without a restart: SYNC_USERS_FILE is watched as the certificate is
// (file-watch.ts), and once it has been quiet for a moment it is read again and
// the accounts (SYNC_USERn's, then the file's) are handed to the server through
// the path the app's account changes take (SyncServer.setUsers): a removed
// account's open sync is rolled back and its requests refused, its data left on
// disk; a new password takes effect at the next login, and devices holding the
// old one's key log in again. A file that cannot be read or has a mistake
// changes nothing: the last good list stays, and the reason is reported.
import type { UserAccount } from '../config/config.js';
import { SettledFileWatch, type FileWatchOptions } from '../config/file-watch.js';
import { readUsersFile, type UsersFile } from './users-file.js';
import { UserConfigError } from './users-from-env.js';

export type UsersReload =
  | {
      readonly ok: true;
      readonly added: readonly string[];
      readonly removed: readonly string[];
      /** Same name, a different password (or hash). */
      readonly passwordChanged: readonly string[];
      /** Accounts that loaded but can never log in. */
      readonly warnings: readonly string[];
      /** Every account now served. */
      readonly users: readonly UserAccount[];
    }
  | { readonly ok: false; readonly reason: string };

/** Whether a reload changed anything. */
export function changedAccounts(reload: UsersReload): boolean {
  return reload.ok && reload.added.length + reload.removed.length + reload.passwordChanged.length > 0;
}

export class UsersFileWatcher {
  private watch: SettledFileWatch | null = null;
  /** Reloads run one after another, in the order the changes were seen. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `fixed` are the SYNC_USERn accounts, `fromFile` the file's accounts as read
   * at start; `apply` hands every account to the server.
   */
  constructor(
    private readonly file: UsersFile,
    private readonly fixed: readonly UserAccount[],
    private fromFile: readonly UserAccount[],
    private readonly apply: (users: readonly UserAccount[]) => Promise<void>,
    private readonly report: (reload: UsersReload) => void,
    private readonly options: FileWatchOptions = {},
  ) {}

  start(): void {
    this.watch = new SettledFileWatch([this.file.path], () => void this.reload(), {
      pollMs: this.options.pollMs ?? 2_000,
      settleMs: this.options.settleMs ?? 500,
    });
    this.watch.start();
  }

  stop(): void {
    this.watch?.stop();
    this.watch = null;
  }

  /** Reads the file again now and applies it; what the watch does once the file is quiet. */
  reload(): Promise<UsersReload> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<UsersReload> {
    let reload: UsersReload;
    try {
      const { users, warnings } = readUsersFile(this.file, this.fixed);
      const all = [...this.fixed, ...users];
      const before = new Map(this.fromFile.map((user) => [user.name, user]));
      const after = new Map(users.map((user) => [user.name, user]));
      const added = users.filter((user) => !before.has(user.name)).map((user) => user.name);
      const removed = this.fromFile.filter((user) => !after.has(user.name)).map((user) => user.name);
      const passwordChanged = users
        .filter((user) => before.has(user.name) && before.get(user.name)!.hostKey !== user.hostKey)
        .map((user) => user.name);
      if (added.length + removed.length + passwordChanged.length > 0) await this.apply(all);
      this.fromFile = users;
      reload = { ok: true, added, removed, passwordChanged, warnings, users: all };
    } catch (error) {
      reload = {
        ok: false,
        reason: error instanceof UserConfigError ? error.message : `the accounts could not be changed: ${String(error)}`,
      };
    }
    this.report(reload);
    return reload;
  }
}
