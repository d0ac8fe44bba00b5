// The app's commands, in plain Node: settings, accounts, the storage folder, the
// port and the server's life. What the window and the tray show is the live
// view's (live-view.ts), which this class tells of every change it makes. The
// Electron glue and the window's tests drive it through the same methods. Every change runs through one queue, and every
// read-modify-write of the settings happens without an await in between, so a
// sync finishing mid-change can never make a change disappear.

import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_MAX_PAYLOAD_MEGS,
  offlineSnapshots,
  type AccountSnapshots,
  type InterfaceTable,
  type ServerConfig,
  type UserPaths,
} from '../server/index.js';
import type { AppState, BindAddress, ClientAddress, ExportView, ServerStatus } from '../shared/ipc.js';
import type { AppSettings, SettingsStore, StoredUser } from '../settings/settings.js';
import { hashPassword, toUserAccount } from './accounts.js';
import { HomeCertificate } from './home-certificate.js';
import { StableName } from './stable-name.js';
import { ReachChecks } from './reach-checks.js';
import { asAppErrors, checkSnapshotFolder, exportPackage } from './snapshots.js';
import { AppError, toAppError } from './errors.js';
import { hostFor, LiveView, storageFolderOf } from './live-view.js';
import { probePort, startError, validatePort } from './port.js';
import { SerialQueue } from './serial.js';
import type { RunningServer, StartServer } from './running-server.js';
import { UpdateChecks, type Updater } from './updates.js';
import { checkStorageFolder, chooseStorageFolder, defaultAnkiDataFolders, refuseVanishedStorageFolder } from './storage-folder.js';
import { sameName, validatePassword, validateUserName } from './user-names.js';
import { moveUserFolder } from './user-folders.js';

export interface ControllerOptions {
  readonly settings: SettingsStore;
  /** SYNC_BASE when the learner has not chosen one. */
  readonly defaultStorageFolder: string;
  readonly startServer: StartServer;
  /** Where each account's files live: the server's storage module. */
  readonly userPaths: (baseFolder: string, name: string) => UserPaths;
  readonly ankiDataFolders?: readonly string[];
  readonly networkInterfaces?: () => InterfaceTable;
  /** Technical details for the log file; the window only ever gets sentences. */
  readonly log?: (message: string, error?: unknown) => void;
  /** The app's updater; without one (headless, tests of other things) nothing is checked. */
  readonly updater?: Updater;
  /** Where "Make my own certificate" keeps its root and pair: beside the settings, outside the storage folder. */
  readonly homeCertificateFolder?: string;
  /** This computer's `.local` name, when it answers on the network (see controller/stable-name.ts); null: none. */
  readonly stableName?: () => string | null;
  /** This computer's MagicDNS name, asked while it has a Tailscale address (server/reach/tailscale-name.ts). */
  readonly tailscaleName?: () => Promise<string | null>;
}

/** How often the addresses are looked at again: for the home certificate's names and the address-changed notice. */
const REACH_CHECK_MS = 60_000;

export class AppController {
  private readonly queue = new SerialQueue();
  private server: RunningServer | null = null;
  private readonly ankiDataFolders: readonly string[];
  readonly updates: UpdateChecks;
  /** What the window and the tray show: server events into AppState, and the refresh loop. */
  readonly view: LiveView;
  readonly home: HomeCertificate;
  private reachTimer: NodeJS.Timeout | null = null;
  private readonly reach: ReachChecks;
  /** The `.local` name, asked for and answered for while the server runs on every network (unless the options give one). */
  private readonly stable: StableName | null;

  constructor(private readonly options: ControllerOptions) {
    this.ankiDataFolders = options.ankiDataFolders ?? defaultAnkiDataFolders();
    this.stable = options.stableName
      ? null
      : new StableName(
          () => this.view.interfaces(),
          () => this.changed(),
        );
    this.home = new HomeCertificate(options.homeCertificateFolder ?? join(dirname(options.defaultStorageFolder), 'home-certificate'));
    this.view = new LiveView({
      settings: options.settings,
      defaultStorageFolder: options.defaultStorageFolder,
      userPaths: options.userPaths,
      ...(options.networkInterfaces ? { networkInterfaces: options.networkInterfaces } : {}),
      ...(options.log ? { log: options.log } : {}),
      server: () => this.server,
      snapshots: (name) => this.snapshotsOf(name),
      update: () => this.updates.status,
      stableName: () => this.stableName(),
      home: this.home,
    });
    this.reach = new ReachChecks({
      settings: () => this.settings(),
      view: this.view,
      home: this.home,
      stable: this.stable,
      currentPort: () => this.currentPort(),
      stableName: () => this.stableName(),
      ...(options.tailscaleName ? { tailscaleName: options.tailscaleName } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const updater = options.updater;
    this.updates = new UpdateChecks({
      updater: updater ?? { checkAndDownload: async () => null, installNow: () => undefined },
      enabled: () => updater !== undefined && this.settings().checkForUpdates,
      syncing: () => this.syncingUsers(),
      changed: () => {
        this.announceUpdate();
        this.changed();
      },
      log: options.log,
    });
  }

  // ---- what the view shows (live-view.ts) ------------------------------

  /** Accounts with a sync in progress. */
  syncingUsers(): string[] {
    return this.view.syncingUsers();
  }

  /** `listener` runs after anything visible changed. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    return this.view.onChange(listener);
  }

  get serverStatus(): ServerStatus {
    return this.view.serverStatus;
  }

  settings(): AppSettings {
    return this.options.settings.read();
  }

  storageFolder(settings = this.settings()): string {
    return storageFolderOf(settings, this.options.defaultStorageFolder);
  }

  /** The port devices should use: the bound one while running. */
  currentPort(): number {
    return this.view.currentPort();
  }

  addresses(): ClientAddress[] {
    return this.view.addresses();
  }

  state(): Promise<AppState> {
    return this.view.state();
  }

  /** The `.local` name while it answers over multicast DNS; null otherwise. */
  stableName(): string | null {
    return this.options.stableName ? this.options.stableName() : (this.stable?.current() ?? null);
  }

  // ---- server lifecycle -------------------------------------------------

  start(): Promise<void> {
    return this.queue.run(() => this.startNow());
  }

  stop(): Promise<void> {
    return this.queue.run(() => this.stopNow());
  }

  // ---- accounts -------------------------------------------------------

  async addUser(rawName: string, rawPassword: string): Promise<void> {
    const name = validateUserName(rawName);
    const password = validatePassword(rawPassword);
    await this.queue.run(async () => {
      this.refuseTakenName(name);
      const phc = await hashPassword(password);
      const users = this.settings().users;
      this.refuseTakenName(name); // again: the hash took a while
      const isFirst = users.length === 0;
      this.options.settings.update({ users: [...users, { name, phc, lastSync: null }] });
      await this.pushUsers();
      this.changed();
      if (isFirst && this.server === null && this.status.state !== 'error') {
        // First run: the server starts on its own once an account exists.
        await this.startNow().catch(() => undefined);
      }
    });
  }

  async removeUser(name: string): Promise<void> {
    await this.queue.run(async () => {
      const users = this.settings().users;
      const user = this.findUser(name, users);
      // The account's folder and collection stay where they are: removing an
      // account never deletes a learner's data.
      this.options.settings.update({ users: users.filter((u) => u !== user) });
      this.view.forgetFigures(user.name);
      await this.pushUsers();
      this.changed();
    });
  }

  async changePassword(name: string, rawPassword: string): Promise<void> {
    const password = validatePassword(rawPassword);
    await this.queue.run(async () => {
      const target = this.findUser(name).name;
      const phc = await hashPassword(password);
      const users = this.settings().users;
      this.options.settings.update({ users: users.map((u) => (u.name === target ? { ...u, phc } : u)) });
      await this.pushUsers();
      this.changed();
    });
  }

  async renameUser(from: string, rawTo: string): Promise<void> {
    const to = validateUserName(rawTo);
    await this.queue.run(async () => {
      const user = this.findUser(from);
      if (user.name === to) return;
      if (!sameName(user.name, to)) this.refuseTakenName(to);
      const base = this.storageFolder();
      const oldPaths = this.options.userPaths(base, user.name);
      const newPaths = this.options.userPaths(base, to);
      if (!sameName(user.name, to) && (await exists(newPaths.folder))) {
        throw new AppError(
          'name-taken',
          `The storage folder already has a folder named "${to}". Choose another name, or move that folder away first.`,
        );
      }
      const before = this.settings().users;
      const renamed = before.map((u) => (u.name === user.name ? { ...u, name: to } : u));
      const moveFolder = (): Promise<void> => moveUserFolder(oldPaths.folder, newPaths.folder);
      // The new name and the move to make are on disk before the folder moves: a power cut
      // part-way is finished at the next start (finishFolderRename), never left half done.
      this.options.settings.update({ users: renamed, renaming: { from: user.name, to } });
      try {
        // Under the account's lock with its files closed, so no sync holds them while the folder
        // moves, and no request of the old name recreates it afterwards; other accounts carry on.
        if (this.server === null) await moveFolder();
        else await this.server.renameUser(user.name, renamed.map(toUserAccount), moveFolder);
      } catch (error) {
        this.options.settings.update({ users: before, renaming: null });
        this.options.log?.(`renaming ${oldPaths.folder} failed`, error);
        throw new AppError(
          'rename-failed',
          `"${user.name}" could not be renamed because its files are in use. Wait until its devices finish syncing, then try again.`,
          {
            cause: error,
          },
        );
      }
      this.options.settings.update({ renaming: null });
      this.view.forgetFigures(user.name);
      await this.pushUsers();
      this.changed();
    });
  }

  // ---- settings that change where or how the server listens -------------

  async setPort(rawPort: number): Promise<void> {
    const port = validatePort(rawPort);
    await this.queue.run(async () => {
      const settings = this.settings();
      if (port === settings.port && this.status.state !== 'error') return;
      await probePort(port, hostFor(settings.bindAddress));
      await this.reconfigure({ port });
    });
  }

  async setBindAddress(bind: BindAddress): Promise<void> {
    if (bind !== 'all-interfaces' && bind !== 'this-computer-only')
      throw new AppError('bad-bind', 'Choose "All networks" or "This computer only".');
    await this.queue.run(() => this.reconfigure({ bindAddress: bind }));
  }

  async setStorageFolder(folder: string): Promise<void> {
    const path = await chooseStorageFolder(folder, this.ankiDataFolders);
    await this.queue.run(() => this.reconfigure({ storageFolder: path }));
  }

  async setStartAtLogin(on: boolean): Promise<void> {
    await this.queue.run(async () => {
      this.options.settings.update({ startAtLogin: on === true });
      this.changed();
    });
  }

  async setStartInTray(on: boolean): Promise<void> {
    await this.queue.run(async () => {
      this.options.settings.update({ startInTray: on === true });
      this.changed();
    });
  }

  /** One of the HTTPS files; once both are chosen the server restarts with HTTPS, or says why it cannot. */
  async setTlsFile(which: 'cert' | 'key', path: string): Promise<void> {
    if (typeof path !== 'string' || path === '') throw new AppError('bad-request', 'Choose a file.');
    await this.queue.run(async () => {
      const settings = this.settings();
      const patch = which === 'cert' ? { tlsCertFile: path } : { tlsKeyFile: path };
      const next = { ...settings, ...patch };
      this.view.forgetCertificate();
      if (next.tlsCertFile === '' || next.tlsKeyFile === '') {
        this.options.settings.update(patch);
        this.changed();
        return;
      }
      await this.reconfigure(patch);
    });
  }

  /**
   * "Make my own certificate": a root of our own (kept if there is one) and a
   * server certificate for every address shown; the server restarts with HTTPS.
   */
  async makeHomeCertificate(): Promise<void> {
    await this.queue.run(async () => {
      await this.reach.refreshTailscaleName();
      const made = this.home.ensure(this.reach.namesForCertificate());
      this.view.forgetCertificate();
      await this.reconfigure({ tlsCertFile: made.files.serverCert, tlsKeyFile: made.files.serverKey });
      this.view.record({ kind: 'home-certificate-made', newRoot: made.newRoot, names: made.names });
    });
  }

  /**
   * Looks at the addresses again (reach-checks.ts): the `.local` name, a DHCP
   * move, the Tailscale name, the home certificate's names and end. Runs every
   * minute while the server runs, and at start.
   */
  checkReach(now?: number): Promise<void> {
    return this.reach.check(now);
  }

  /** Plain HTTP again. */
  async clearTls(): Promise<void> {
    await this.queue.run(async () => {
      this.view.forgetCertificate();
      await this.reconfigure({ tlsCertFile: '', tlsKeyFile: '' });
    });
  }

  async setCheckForUpdates(on: boolean): Promise<void> {
    await this.queue.run(async () => {
      this.options.settings.update({ checkForUpdates: on === true });
      this.updates.settingChanged();
      this.changed();
    });
  }

  /** The learner agreed to install the downloaded version; refused while a device syncs. */
  installUpdate(): void {
    this.updates.installNow();
  }

  /** True the first time the window is closed to the tray, so the learner is told once. */
  takeTrayNotice(): boolean {
    if (this.settings().trayNoticeShown) return false;
    this.options.settings.update({ trayNoticeShown: true });
    return true;
  }

  /** True the first time the app finds that the desktop shows no tray icon, so the learner is told once. */
  takeNoTrayNotice(): boolean {
    if (this.settings().noTrayNoticeShown) return false;
    this.options.settings.update({ noTrayNoticeShown: true });
    return true;
  }

  /** "Restart and install" did not happen: said in the activity list; the downloaded version stays ready. */
  updateNotInstalled(reason: string): void {
    this.options.log?.(`update not installed: ${reason}`);
    this.view.record({ kind: 'update-not-installed' });
  }

  // ---- snapshots (issue 24) -------------------------------------------

  /** The account's snapshots: the running server's (under the account's lock), or the files' while it is stopped. */
  snapshotsOf(name: string): AccountSnapshots {
    const settings = this.settings();
    return this.server
      ? this.server.snapshots(name)
      : offlineSnapshots(
          { baseFolder: this.storageFolder(settings), snapshotDir: settings.snapshotDir === '' ? null : settings.snapshotDir },
          name,
        );
  }

  /** Where the second copy of every snapshot goes (SYNC_SNAPSHOT_DIR); the server restarts to use it. */
  async setSnapshotFolder(folder: string): Promise<void> {
    const path = await checkSnapshotFolder(folder, this.storageFolder());
    await this.queue.run(() => this.reconfigure({ snapshotDir: path }));
  }

  /** No second copy any more; what was written stays. */
  async clearSnapshotFolder(): Promise<void> {
    await this.queue.run(() => this.reconfigure({ snapshotDir: '' }));
  }

  async takeSnapshot(name: string): Promise<void> {
    await this.queue.run(async () => {
      const user = this.findUser(name);
      await asAppErrors(() => this.snapshotsOf(user.name).take());
      this.changed();
    });
  }

  /**
   * Puts the snapshot's collection and media back. A device syncing meanwhile waits for the
   * account's lock, then is asked to choose a full download; the collection replaced is kept
   * as a snapshot, so the restore can be undone.
   */
  async restoreSnapshot(name: string, snapshotId: string): Promise<void> {
    await this.queue.run(async () => {
      const user = this.findUser(name);
      const snapshots = this.snapshotsOf(user.name);
      const restored = await asAppErrors(async () => (await snapshots.list()).find((s) => s.id === snapshotId));
      await asAppErrors(() => snapshots.restore(snapshotId));
      this.view.record({ kind: 'snapshot-restored', username: user.name, takenAt: restored?.takenAt ?? null });
    });
  }

  /** "Download my collection": the collection now (`snapshotId` null) or a snapshot's, to `outFile`. */
  async exportCollection(name: string, snapshotId: string | null, outFile: string, legacy: boolean): Promise<ExportView> {
    const user = this.findUser(name);
    const paths = this.options.userPaths(this.storageFolder(), user.name);
    return exportPackage(this.snapshotsOf(user.name), paths, snapshotId, outFile, legacy);
  }

  /** Stops the server (draining syncs); used on quit, and before an update installs. */
  async shutdown(reason?: 'update'): Promise<void> {
    if (reason === 'update') {
      const update = this.updates.status;
      this.server?.announceStopForUpdate?.(update.state === 'ready' ? update.version : undefined);
    }
    await this.stop();
  }

  // ---- internals ------------------------------------------------------

  /** Finishes an account rename that a power cut or crash interrupted after its settings were written. */
  private async finishFolderRename(settings: AppSettings): Promise<void> {
    if (settings.renaming === null) return;
    const base = this.storageFolder(settings);
    const { from, to } = settings.renaming;
    await moveUserFolder(this.options.userPaths(base, from).folder, this.options.userPaths(base, to).folder);
    this.options.settings.update({ renaming: null });
  }

  private async startNow(): Promise<void> {
    if (this.server !== null) return;
    const settings = this.settings();
    if (settings.users.length === 0) {
      throw new AppError('no-users', 'Add an account first; the server starts as soon as one exists.');
    }
    const host = hostFor(settings.bindAddress);
    this.setStatus({ state: 'starting' });
    try {
      await this.finishFolderRename(settings);
      await refuseVanishedStorageFolder(
        this.storageFolder(settings),
        settings.users.some((user) => user.lastSync !== null),
      );
      const baseFolder = await checkStorageFolder(this.storageFolder(settings), this.ankiDataFolders);
      const config: ServerConfig = {
        host,
        port: settings.port,
        baseFolder,
        maxPayloadMegs: DEFAULT_MAX_PAYLOAD_MEGS,
        users: settings.users.map(toUserAccount),
        snapshotDir: settings.snapshotDir === '' ? null : settings.snapshotDir,
        ...(settings.tlsCertFile !== '' && settings.tlsKeyFile !== ''
          ? { tls: { certFile: settings.tlsCertFile, keyFile: settings.tlsKeyFile } }
          : {}),
      };
      this.server = await this.options.startServer(config, this.view.serverEvents());
    } catch (error) {
      const appError = error instanceof AppError ? error : startError(error, settings.port, host);
      this.options.log?.('server start failed', error);
      this.view.record({ kind: 'start-failed', reason: appError.message });
      this.setStatus({ state: 'error', reason: appError.message });
      throw appError;
    }
    this.view.record({ kind: 'started', port: this.server.port, https: this.server.certificate() !== null });
    this.setStatus({ state: 'running', port: this.server.port });
    this.announceUpdate();
    await this.view.refreshCertificate();
    void this.checkReach();
    if (this.reachTimer === null) {
      this.reachTimer = setInterval(() => void this.checkReach(), REACH_CHECK_MS);
      this.reachTimer.unref();
    }
  }

  /** While a downloaded update waits, devices that sync are told the server will restart for it (server/reach/learner-events.ts). */
  private announceUpdate(): void {
    const update = this.updates.status;
    if (update.state === 'ready') this.server?.announceUpdate?.(update.version);
  }

  private async stopNow(): Promise<void> {
    const server = this.server;
    if (server === null) {
      if (this.status.state === 'error') this.setStatus({ state: 'stopped' });
      return;
    }
    this.setStatus({ state: 'stopping' });
    if (this.reachTimer !== null) clearInterval(this.reachTimer);
    this.reachTimer = null;
    this.stable?.stop();
    try {
      await server.stop();
    } finally {
      this.server = null;
      this.view.serverStopped();
      this.view.record({ kind: 'stopped' });
      this.setStatus({ state: 'stopped' });
    }
  }

  /**
   * Saves `patch`; a running server restarts with it, and falls back to the old
   * settings if it cannot. A server that failed to start tries again with it:
   * a new port is usually the learner's answer to "port in use".
   */
  private async reconfigure(patch: Partial<AppSettings>): Promise<void> {
    const before = this.settings();
    this.options.settings.update(patch);
    if (this.server === null) {
      if (this.status.state === 'error') await this.startNow();
      else this.changed();
      return;
    }
    await this.stopNow();
    try {
      await this.startNow();
    } catch (error) {
      const restore = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as keyof AppSettings]]));
      this.options.settings.update(restore);
      await this.startNow().catch(() => undefined);
      throw toAppError(error);
    }
  }

  private async pushUsers(): Promise<void> {
    await this.server?.setUsers(this.settings().users.map(toUserAccount));
  }

  private findUser(name: string, users = this.settings().users): StoredUser {
    const user = users.find((u) => u.name === name) ?? users.find((u) => sameName(u.name, name));
    if (!user) throw new AppError('no-such-user', `There is no account named "${name}".`);
    return user;
  }

  private refuseTakenName(name: string): void {
    const taken = this.settings().users.find((u) => sameName(u.name, name));
    if (taken) throw new AppError('name-taken', `There is already an account named "${taken.name}". Choose another name.`);
  }

  private get status(): ServerStatus {
    return this.view.serverStatus;
  }

  private setStatus(status: ServerStatus): void {
    this.view.setStatus(status);
  }

  private changed(): void {
    this.view.changed();
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
