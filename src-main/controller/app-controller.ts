// The app's brain, in plain Node: settings, accounts, the storage folder, the
// port and the server's life. The Electron glue and the window's tests drive it
// through the same methods. Every change runs through one queue, and every
// read-modify-write of the settings happens without an await in between, so a
// sync finishing mid-change can never make a change disappear.

import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { promises as fs } from 'node:fs';
import {
  addressWarning,
  ankiwebTrapWarning,
  clientAddresses,
  DEFAULT_MAX_PAYLOAD_MEGS,
  describeClient,
  formatBytes,
  LOW_SPACE_FLOOR_BYTES,
  measureDisk,
  resolveCertificateNames,
  syncKey,
  type ActivityEvent,
  type CertificateStatus,
  type ClientSeen,
  type InterfaceTable,
  type NoticeTold,
  type ServerConfig,
  type SpaceView,
  type SyncProgress,
  type UserPaths,
} from '../server/index.js';
import type {
  AppState,
  BindAddress,
  ClientAddress,
  HomeCertificateView,
  ServerStatus,
  SettingsView,
  StorageView,
  SyncView,
  ToldView,
  UserStatus,
} from '../shared/ipc.js';
import type { AppSettings, SettingsStore, StoredUser } from '../settings/settings.js';
import { certificateNames, HomeCertificate, localName } from './home-certificate.js';
import { addressChangeNotice, homeAddresses, StableName } from './stable-name.js';
import { hashPassword, toUserAccount } from './accounts.js';
import { ActivityLog } from './activity-log.js';
import { listBackups, restoreBackupFile } from './backup-restore.js';
import { AppError, toAppError } from './errors.js';
import { startError, validatePort } from './port.js';
import { SerialQueue } from './serial.js';
import type { RunningServer, StartServer } from './running-server.js';
import { UpdateChecks, type Updater } from './updates.js';
import { checkStorageFolder, chooseStorageFolder, defaultAnkiDataFolders, refuseVanishedStorageFolder } from './storage-folder.js';
import { sameName, validatePassword, validateUserName } from './user-names.js';
import { moveUserFolder } from './user-folders.js';
import { readCollectionFigures, type CollectionFigures } from './user-status.js';

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
}

/** How often the addresses are looked at again: for the home certificate's names and the address-changed notice. */
const REACH_CHECK_MS = 60_000;

const SYNC_KINDS = new Set(['normal-sync', 'full-upload', 'full-download']);
/** Clients remembered per account: a family's few devices. */
const CLIENTS_KEPT = 6;

export function hostFor(bind: BindAddress): string {
  return bind === 'this-computer-only' ? '127.0.0.1' : '0.0.0.0';
}

export class AppController {
  private readonly events = new EventEmitter();
  private readonly queue = new SerialQueue();
  private readonly activity = new ActivityLog();
  private readonly figures = new Map<string, CollectionFigures>();
  private server: RunningServer | null = null;
  private status: ServerStatus = { state: 'stopped' };
  private readonly ankiDataFolders: readonly string[];
  /** Syncs in progress, by user, client and collection or media. */
  private readonly syncs = new Map<string, SyncProgress>();
  readonly updates: UpdateChecks;
  /** The certificate last served, kept while stopped so the addresses stay https. */
  private certificate: CertificateStatus | null = null;
  /** For each of this computer's IPs, the certificate's names that resolve to it. */
  private certificateNames: ReadonlyMap<string, readonly string[]> = new Map();
  /** Devices that need a newer server, in words, newest last; shown until the app restarts. */
  private readonly driftAlerts: string[] = [];
  /** While the storage folder is missing (a drive removed): what to do about it. */
  private storageAlert: string | null = null;
  readonly home: HomeCertificate;
  private reachTimer: NodeJS.Timeout | null = null;
  /** The `.local` name, asked for and answered for while the server runs on every network (unless the options give one). */
  private readonly stable: StableName | null;
  /** Said once when this computer's address is no longer the one devices last used; cleared by the next sync. */
  private addressAlert: string | null = null;

  constructor(private readonly options: ControllerOptions) {
    this.ankiDataFolders = options.ankiDataFolders ?? defaultAnkiDataFolders();
    this.stable = options.stableName
      ? null
      : new StableName(
          () => this.interfaces(),
          () => this.changed(),
        );
    this.home = new HomeCertificate(options.homeCertificateFolder ?? join(dirname(options.defaultStorageFolder), 'home-certificate'));
    const updater = options.updater;
    this.updates = new UpdateChecks({
      updater: updater ?? { checkAndDownload: async () => null, installNow: () => undefined },
      enabled: () => updater !== undefined && this.settings().checkForUpdates,
      syncing: () => this.syncingUsers(),
      changed: () => this.changed(),
      log: options.log,
    });
  }

  /** Accounts with a sync in progress. */
  syncingUsers(): string[] {
    const names = new Set([...this.syncs.values()].map((sync) => sync.username));
    for (const name of this.server?.syncing() ?? []) names.add(name);
    return [...names].sort();
  }

  /** `listener` runs after anything visible changed. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  get serverStatus(): ServerStatus {
    return this.status;
  }

  settings(): AppSettings {
    return this.options.settings.read();
  }

  storageFolder(settings = this.settings()): string {
    return settings.storageFolder || this.options.defaultStorageFolder;
  }

  /** The port devices should use: the bound one while running. */
  currentPort(): number {
    return this.status.state === 'running' ? this.status.port : this.settings().port;
  }

  addresses(): ClientAddress[] {
    const settings = this.settings();
    const https = settings.tlsCertFile !== '' && settings.tlsKeyFile !== '';
    const addresses = clientAddresses({
      host: hostFor(settings.bindAddress),
      port: this.currentPort(),
      interfaces: this.interfaces(),
      certificate: https ? (this.certificate ?? { dnsNames: [], ipAddresses: [] }) : null,
      namesByIp: this.certificateNames,
    });
    const name = settings.bindAddress === 'all-interfaces' ? this.stableName() : null;
    if (name === null) return addresses;
    // The name first: it is the address to give Anki, since it survives the router handing out another number.
    const covered = !https || this.certificate === null || this.certificate.dnsNames.includes(name);
    return [
      {
        url: `${https ? 'https' : 'http'}://${name}:${this.currentPort()}/`,
        ip: name,
        place: 'home',
        label: 'at home; keeps working when the router changes the number',
        note: covered ? null : `The certificate does not name ${name}, so devices will refuse it. "Make my own certificate" covers it.`,
      },
      ...addresses,
    ];
  }

  private interfaces(): InterfaceTable {
    return this.options.networkInterfaces?.() ?? networkInterfaces();
  }

  /** The `.local` name while it answers over multicast DNS; null otherwise. */
  stableName(): string | null {
    return this.options.stableName ? this.options.stableName() : (this.stable?.current() ?? null);
  }

  private revisions = 0;

  async state(): Promise<AppState> {
    // Numbered before the first await: the number orders snapshots by when they were taken.
    const revision = ++this.revisions;
    const settings = this.settings();
    const view: SettingsView = {
      storageFolder: this.storageFolder(settings),
      port: settings.port,
      bindAddress: settings.bindAddress,
      startAtLogin: settings.startAtLogin,
      startInTray: settings.startInTray,
      checkForUpdates: settings.checkForUpdates,
      tlsCertFile: settings.tlsCertFile,
      tlsKeyFile: settings.tlsKeyFile,
    };
    const addresses = this.addresses();
    const storage = this.storageView(view.storageFolder);
    return {
      revision,
      server: this.status,
      settings: view,
      addresses,
      addressWarning: addressWarning(addresses, settings.bindAddress === 'all-interfaces'),
      users: await Promise.all(settings.users.map((user) => this.userStatus(user, view.storageFolder))),
      activity: this.activity.recent(),
      firstRun: settings.users.length === 0,
      syncs: [...this.syncs.values()].map(toSyncView),
      update: this.updates.status,
      alerts: [
        ...(this.storageAlert === null ? [] : [this.storageAlert]),
        ...(storage?.warning ? [storage.warning] : []),
        ...(this.certificate?.warning ? [this.certificate.warning] : []),
        ...this.driftAlerts,
        ...nonNull(this.addressAlert),
        ...nonNull(ankiwebTrapWarning(addresses.map((address) => address.url))),
      ],
      storage,
      certificate:
        this.certificate === null
          ? null
          : { names: [...this.certificate.dnsNames, ...this.certificate.ipAddresses], validTo: this.certificate.validTo },
      told: (this.server?.noticesTold?.() ?? []).map(toldView),
      homeCertificate: this.homeView(settings),
    };
  }

  private homeView(settings: AppSettings): HomeCertificateView | null {
    if (!this.home.inUse(settings)) return null;
    const served = this.certificate;
    try {
      return this.home.view(served === null ? [] : [...served.dnsNames, ...served.ipAddresses], served?.validTo ?? 0);
    } catch {
      return null;
    }
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
      this.figures.delete(user.name);
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
      this.figures.delete(user.name);
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
      this.certificate = null;
      this.certificateNames = new Map();
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
      const made = this.home.ensure(this.namesForCertificate());
      this.certificate = null;
      this.certificateNames = new Map();
      await this.reconfigure({ tlsCertFile: made.files.serverCert, tlsKeyFile: made.files.serverKey });
      this.activity.recordApp(
        `${made.newRoot ? 'Made your own certificate authority' : 'Kept your certificate authority'} and a certificate for ${made.names.join(', ')}. Give each device the root certificate once (Settings → HTTPS).`,
        false,
      );
      this.changed();
    });
  }

  /**
   * The names the home certificate must cover now: the `.local` name and every
   * address of this computer (all of them, whatever the bind, so that choosing
   * "All networks" later needs no new certificate).
   */
  private namesForCertificate(): string[] {
    const plain = clientAddresses({
      host: '0.0.0.0',
      port: this.currentPort(),
      interfaces: this.options.networkInterfaces?.() ?? networkInterfaces(),
    });
    // The computer's own name is covered even before it answers: it may answer later, on another network.
    return certificateNames(plain, this.stableName() ?? localName());
  }

  /**
   * Looks at the addresses again: while the home certificate is served, it is
   * re-issued when it misses one of them or nears its end (the server's watcher
   * then serves it). Runs every minute while the server runs, and at start.
   */
  checkReach(now?: number): void {
    if (this.settings().bindAddress === 'all-interfaces')
      void this.stable?.refresh().catch((error) => this.options.log?.('.local name', error));
    this.checkAddressChange();
    try {
      if (this.home.inUse(this.settings())) {
        const result = this.home.ensure(this.namesForCertificate(), now);
        if (result.issued !== null) {
          const why =
            result.issued === 'expiring' ? 'before its end' : result.issued === 'names-changed' ? 'for a changed address' : 'again';
          this.activity.recordApp(`Your certificate was renewed ${why}; devices need nothing new.`, false);
          this.changed();
        }
      }
    } catch (error) {
      this.options.log?.('home certificate renewal', error);
    }
  }

  /** DHCP moved this computer: said once, in the window (until a device syncs again), the activity list and the log. */
  private checkAddressChange(): void {
    const settings = this.settings();
    if (settings.bindAddress !== 'all-interfaces') return;
    const now = homeAddresses(this.interfaces());
    const https = settings.tlsCertFile !== '' && settings.tlsKeyFile !== '';
    const notice = addressChangeNotice(settings.lastAddresses, now, this.currentPort(), this.stableName(), https ? 'https' : 'http');
    if (notice === null) return;
    this.addressAlert = notice;
    this.activity.recordApp(notice, true);
    this.options.log?.(notice);
    this.remember({ lastAddresses: now });
    this.changed();
  }

  /** Plain HTTP again. */
  async clearTls(): Promise<void> {
    await this.queue.run(async () => {
      this.certificate = null;
      this.certificateNames = new Map();
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
    this.activity.recordApp(
      'The new version could not be installed, so this one carries on and the server is running again. Try again later, or download the new version yourself.',
      true,
    );
    this.changed();
  }

  // ---- backups --------------------------------------------------------

  async restoreBackup(name: string, backupId: string): Promise<void> {
    await this.queue.run(async () => {
      const user = this.findUser(name);
      const paths = this.options.userPaths(this.storageFolder(), user.name);
      // Under the account's lock with its files closed; a device syncing meanwhile waits, then sees the restored collection.
      const restore = (): Promise<void> => restoreBackupFile(paths, backupId);
      await (this.server ? this.server.withUserFilesClosed(user.name, restore) : restore());
      this.activity.recordApp(`${user.name}'s collection was restored from a backup. Its devices will ask to sync in full.`, false);
      this.changed();
    });
  }

  /** Stops the server (draining syncs); used on quit, and before an update installs. */
  async shutdown(reason?: 'update'): Promise<void> {
    if (reason === 'update') this.server?.announceStopForUpdate?.();
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
        ...(settings.tlsCertFile !== '' && settings.tlsKeyFile !== ''
          ? { tls: { certFile: settings.tlsCertFile, keyFile: settings.tlsKeyFile } }
          : {}),
      };
      this.server = await this.options.startServer(config, {
        activity: (event) => this.onActivity(event),
        progress: (progress) => this.onProgress(progress),
        client: (seen) => this.onClient(seen),
        space: () => this.changed(),
        told: () => this.changed(),
      });
    } catch (error) {
      const appError = error instanceof AppError ? error : startError(error, settings.port, host);
      this.options.log?.('server start failed', error);
      this.activity.recordApp(appError.message, true);
      this.setStatus({ state: 'error', reason: appError.message });
      throw appError;
    }
    this.activity.recordApp(
      `The server started on port ${this.server.port}${this.server.certificate() === null ? '' : ', with HTTPS'}.`,
      false,
    );
    this.setStatus({ state: 'running', port: this.server.port });
    await this.refreshCertificate();
    this.checkReach();
    if (this.reachTimer === null) {
      this.reachTimer = setInterval(() => this.checkReach(), REACH_CHECK_MS);
      this.reachTimer.unref();
    }
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
      this.syncs.clear();
      this.activity.recordApp('The server stopped.', false);
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

  /** Reads the certificate served and which of its names lead to this computer (for the https addresses). */
  private async refreshCertificate(): Promise<void> {
    const certificate = this.server?.certificate() ?? null;
    this.certificate = certificate;
    this.certificateNames = certificate === null ? new Map() : await resolveCertificateNames(certificate.dnsNames);
    this.changed();
  }

  private onActivity(event: ActivityEvent): void {
    const entry = this.activity.recordServerEvent(event);
    if (event.kind === 'certificate') void this.refreshCertificate().catch((error) => this.options.log?.('certificate names', error));
    if (event.kind === 'storage') this.storageAlert = event.failed === true ? entry.message : null;
    if (event.kind === 'protocol-drift' && !this.driftAlerts.includes(entry.message)) {
      this.driftAlerts.push(entry.message);
      if (this.driftAlerts.length > 5) this.driftAlerts.shift();
    }
    if (SYNC_KINDS.has(event.kind)) {
      this.addressAlert = null;
      const addresses = homeAddresses(this.interfaces());
      if (addresses.length > 0 && JSON.stringify(addresses) !== JSON.stringify(this.settings().lastAddresses))
        this.remember({ lastAddresses: addresses });
      const users = this.settings().users;
      if (users.some((u) => u.name === event.username)) {
        const lastSync = { at: event.at, clientIp: event.clientIp };
        this.remember({ users: users.map((u) => (u.name === event.username ? { ...u, lastSync } : u)) });
      }
    }
    this.changed();
  }

  /** Remembers which clients an account's devices use (persisted: "which Anki does my phone run?"). */
  private onClient(seen: ClientSeen): void {
    const users = this.settings().users;
    const user = users.find((u) => u.name === seen.username);
    if (user === undefined) return;
    const others = (user.clients ?? []).filter((c) => c.client !== seen.client);
    const clients = [{ client: seen.client, lastSeen: seen.at }, ...others].slice(0, CLIENTS_KEPT);
    this.remember({ users: users.map((u) => (u === user ? { ...u, clients } : u)) });
    this.changed();
  }

  private onProgress(progress: SyncProgress): void {
    const key = syncKey(progress);
    if (progress.finished) this.syncs.delete(key);
    else this.syncs.set(key, progress);
    this.changed();
  }

  private async userStatus(user: StoredUser, baseFolder: string): Promise<UserStatus> {
    const paths = this.options.userPaths(baseFolder, user.name);
    const figures = await readCollectionFigures(paths, this.figures.get(user.name));
    this.figures.set(user.name, figures);
    return { name: user.name, lastSync: user.lastSync, clients: user.clients ?? [], ...figures, backups: await listBackups(paths) };
  }

  /**
   * Saves what the app notes on its own (a last sync, a client seen). These
   * arrive in the middle of a sync: a settings file that cannot be written (a
   * full disk) is logged, never turned into a failed sync.
   */
  private remember(patch: Partial<AppSettings>): void {
    try {
      this.options.settings.update(patch);
    } catch (error) {
      this.options.log?.('saving settings failed', error);
    }
  }

  /** The storage folder's disk: the running server's reading, or one of its own while stopped. */
  private storageView(folder: string): StorageView | null {
    let space: Pick<SpaceView, 'freeBytes' | 'totalBytes' | 'failingSince'> & { low: boolean };
    if (this.server !== null) {
      space = this.server.storageSpace();
    } else {
      try {
        const disk = measureDisk(folder);
        space = { ...disk, low: disk.freeBytes < LOW_SPACE_FLOOR_BYTES, failingSince: null };
      } catch {
        return null;
      }
    }
    const state = space.failingSince !== null ? 'full' : space.low ? 'low' : 'ok';
    return {
      freeBytes: space.freeBytes,
      totalBytes: space.totalBytes,
      state,
      summary: `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)}`,
      warning: storageWarning(state, space.freeBytes),
    };
  }

  private setStatus(status: ServerStatus): void {
    this.status = status;
    this.changed();
  }

  private changed(): void {
    this.events.emit('change');
  }
}

function nonNull<T>(value: T | null): T[] {
  return value === null ? [] : [value];
}

/** The server names a device by its address and client version, one space apart (collection/meta.ts). */
function toldView(told: NoticeTold): ToldView {
  const space = told.device.indexOf(' ');
  const clientIp = space < 0 ? told.device : told.device.slice(0, space);
  const raw = space < 0 ? '' : told.device.slice(space + 1);
  return { at: told.at, username: told.account, clientIp, client: describeClient(raw)?.label ?? raw, message: told.notice };
}

function toSyncView({ finished: _finished, ...view }: SyncProgress): SyncView {
  return view;
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

/** Fails with the learner's sentence if something else already listens on host:port. */
export function probePort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(startError(error, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** What the owner reads while the storage disk is nearly full or refusing writes (the window's alert, the tray). */
function storageWarning(state: StorageView['state'], freeBytes: number): string | null {
  if (state === 'full') {
    return (
      'The storage disk is full: syncs that would save changes are refused, and devices are told so. ' +
      'Free some space on that disk, or choose a storage folder on a larger disk in Settings; syncing then resumes by itself.'
    );
  }
  if (state === 'ok') return null;
  return (
    `The storage disk is almost full: ${formatBytes(freeBytes)} left. Syncs will fail once it is full. ` +
    'Free some space on that disk, or choose a storage folder on a larger disk in Settings.'
  );
}
