// The app's live view, in plain Node: the server's events (activity, progress,
// clients seen, disk space) turned into the AppState the window and the tray
// show, and the refresh loop that hands each new state on. The commands
// (app-controller.ts) change settings and the server's life and tell this view;
// nothing here starts, stops or reconfigures anything.

import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import {
  addressWarning,
  ankiwebTrapWarning,
  clientAddresses,
  describeClient,
  formatBytes,
  LOW_SPACE_FLOOR_BYTES,
  measureDisk,
  resolveCertificateNames,
  syncKey,
  type AccountSnapshots,
  type ActivityEvent,
  type CertificateStatus,
  type ClientSeen,
  type InterfaceTable,
  type NoticeTold,
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
  UpdateView,
  UserStatus,
} from '../shared/ipc.js';
import type { AppSettings, SettingsStore, StoredUser } from '../settings/settings.js';
import { ActivityLog, type AppActivityEvent } from './activity-log.js';
import { snapshotFigures } from './snapshots.js';
import { profileUrlOf, type HomeCertificate } from './home-certificate.js';
import { homeAddresses } from './stable-name.js';
import type { RunningServer, ServerEvents } from './running-server.js';
import { readCollectionFigures, type CollectionFigures } from './user-status.js';

export interface LiveViewOptions {
  readonly settings: SettingsStore;
  /** SYNC_BASE when the learner has not chosen one. */
  readonly defaultStorageFolder: string;
  readonly userPaths: (baseFolder: string, name: string) => UserPaths;
  readonly networkInterfaces?: () => InterfaceTable;
  readonly log?: (message: string, error?: unknown) => void;
  /** The server the commands started, or null while stopped. */
  readonly server: () => RunningServer | null;
  /** An account's snapshots: the running server's, or the files' while stopped. */
  readonly snapshots: (name: string) => AccountSnapshots;
  /** The updater's state, owned by the commands. */
  readonly update: () => UpdateView;
  /** This computer's `.local` name while it answers over multicast DNS; null otherwise. */
  readonly stableName: () => string | null;
  /** "Make my own certificate"'s files, shown while served. */
  readonly home: HomeCertificate;
}

const SYNC_KINDS = new Set(['normal-sync', 'full-upload', 'full-download']);
/** Clients remembered per account: a family's few devices. */
const CLIENTS_KEPT = 6;
/** Drift alerts kept: the newest few are enough to say which devices need a newer server. */
const DRIFT_ALERTS_KEPT = 5;

export function hostFor(bind: BindAddress): string {
  return bind === 'this-computer-only' ? '127.0.0.1' : '0.0.0.0';
}

export function storageFolderOf(settings: AppSettings, defaultStorageFolder: string): string {
  return settings.storageFolder || defaultStorageFolder;
}

export class LiveView {
  private readonly events = new EventEmitter();
  private readonly activity = new ActivityLog();
  private readonly figures = new Map<string, CollectionFigures>();
  private status: ServerStatus = { state: 'stopped' };
  /** Syncs in progress, by user, client and collection or media. */
  private readonly syncs = new Map<string, SyncProgress>();
  /** The certificate last served, kept while stopped so the addresses stay https. */
  private certificate: CertificateStatus | null = null;
  /** For each of this computer's IPs, the certificate's names that resolve to it. */
  private certificateNames: ReadonlyMap<string, readonly string[]> = new Map();
  /** Devices that need a newer server, in words, newest last; shown until the app restarts. */
  private readonly driftAlerts: string[] = [];
  /** While the storage folder is missing (a drive removed): what to do about it. */
  private storageAlert: string | null = null;
  /** Said once when this computer's address is no longer the one devices last used; cleared by the next sync. */
  private addressAlert: string | null = null;
  private revisions = 0;
  /** The last snapshot warning of each account (one skipped for a nearly full disk), until a snapshot is taken after it. */
  private readonly snapshotWarnings = new Map<string, { at: number; sentence: string }>();

  constructor(private readonly options: LiveViewOptions) {}

  /** `listener` runs after anything visible changed. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  changed(): void {
    this.events.emit('change');
  }

  get serverStatus(): ServerStatus {
    return this.status;
  }

  setStatus(status: ServerStatus): void {
    this.status = status;
    this.changed();
  }

  /** What the app itself did, in the activity list. */
  record(event: AppActivityEvent): void {
    this.activity.recordApp(event);
    this.changed();
  }

  /** The handlers the running server reports to. */
  serverEvents(): ServerEvents {
    return {
      activity: (event) => this.onActivity(event),
      progress: (progress) => this.onProgress(progress),
      client: (seen) => this.onClient(seen),
      space: () => this.changed(),
      told: () => this.changed(),
      snapshots: () => this.changed(),
    };
  }

  /** DHCP moved this computer (app-controller.ts's reach check): shown until a device syncs again. */
  addressChanged(notice: string): void {
    this.addressAlert = notice;
    this.record({ kind: 'address-changed', notice });
  }

  /** The certificate last served (null over HTTP, or before the server has said). */
  servedCertificate(): CertificateStatus | null {
    return this.certificate;
  }

  interfaces(): InterfaceTable {
    return this.options.networkInterfaces?.() ?? networkInterfaces();
  }

  /** The server stopped: no sync is in progress any more. */
  serverStopped(): void {
    this.syncs.clear();
  }

  /** The HTTPS files changed: the old certificate no longer describes the addresses. */
  forgetCertificate(): void {
    this.certificate = null;
    this.certificateNames = new Map();
  }

  /** An account left or was renamed: its figures are read afresh under its new name. */
  forgetFigures(name: string): void {
    this.figures.delete(name);
  }

  /** Accounts with a sync in progress. */
  syncingUsers(): string[] {
    const names = new Set([...this.syncs.values()].map((sync) => sync.username));
    for (const name of this.options.server()?.syncing() ?? []) names.add(name);
    return [...names].sort();
  }

  /** The port devices should use: the bound one while running. */
  currentPort(): number {
    return this.status.state === 'running' ? this.status.port : this.options.settings.read().port;
  }

  addresses(): ClientAddress[] {
    const settings = this.options.settings.read();
    const https = settings.tlsCertFile !== '' && settings.tlsKeyFile !== '';
    const addresses = clientAddresses({
      host: hostFor(settings.bindAddress),
      port: this.currentPort(),
      interfaces: this.interfaces(),
      certificate: https ? (this.certificate ?? { dnsNames: [], ipAddresses: [] }) : null,
      namesByIp: this.certificateNames,
    });
    const name = settings.bindAddress === 'all-interfaces' ? this.options.stableName() : null;
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

  async state(): Promise<AppState> {
    // Numbered before the first await: the number orders snapshots by when they were taken.
    const revision = ++this.revisions;
    const settings = this.options.settings.read();
    const view: SettingsView = {
      storageFolder: storageFolderOf(settings, this.options.defaultStorageFolder),
      port: settings.port,
      bindAddress: settings.bindAddress,
      startAtLogin: settings.startAtLogin,
      startInTray: settings.startInTray,
      checkForUpdates: settings.checkForUpdates,
      tlsCertFile: settings.tlsCertFile,
      tlsKeyFile: settings.tlsKeyFile,
      snapshotDir: settings.snapshotDir,
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
      update: this.options.update(),
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
      told: (this.options.server()?.noticesTold?.() ?? []).map(toldView),
      homeCertificate: this.homeView(settings, addresses),
    };
  }

  private homeView(settings: AppSettings, addresses: readonly ClientAddress[]): HomeCertificateView | null {
    if (!this.options.home.inUse(settings)) return null;
    const served = this.certificate;
    // The running server serves the profile (server/method-table.ts, ROOT_PROFILE_PATH).
    const profileUrl = this.status.state === 'running' ? profileUrlOf(addresses) : null;
    try {
      return this.options.home.view(served === null ? [] : [...served.dnsNames, ...served.ipAddresses], served?.validTo ?? 0, profileUrl);
    } catch {
      return null;
    }
  }

  /**
   * Hands `render` a fresh state after every change, until `stop`. Changes come
   * in bursts (starting, running): one refresh at a time, and a change during a
   * refresh makes one more, so the last state rendered is never older than the
   * last change. `refresh` renders now (the first state of a new window) and
   * resolves once the loop is idle.
   */
  follow(render: (state: AppState) => void): { refresh(): Promise<void>; stop(): void } {
    return followChanges(this, render, (error) => this.options.log?.('refresh failed', error));
  }

  /** Reads the certificate served and which of its names lead to this computer (for the https addresses). */
  async refreshCertificate(): Promise<void> {
    const certificate = this.options.server()?.certificate() ?? null;
    this.certificate = certificate;
    this.certificateNames = certificate === null ? new Map() : await resolveCertificateNames(certificate.dnsNames);
    this.changed();
  }

  private onActivity(event: ActivityEvent): void {
    const entry = this.activity.recordServerEvent(event);
    if (event.kind === 'certificate') void this.refreshCertificate().catch((error) => this.options.log?.('certificate names', error));
    if (event.kind === 'storage') this.storageAlert = event.failed === true ? entry.message : null;
    // A snapshot skipped (a nearly full disk) or its second copy not written: shown with the account's snapshots.
    if (event.kind === 'snapshot' && event.username) this.snapshotWarnings.set(event.username, { at: event.at, sentence: entry.message });
    if (event.kind === 'protocol-drift' && !this.driftAlerts.includes(entry.message)) {
      this.driftAlerts.push(entry.message);
      if (this.driftAlerts.length > DRIFT_ALERTS_KEPT) this.driftAlerts.shift();
    }
    if (SYNC_KINDS.has(event.kind)) {
      this.addressAlert = null;
      const addresses = homeAddresses(this.interfaces());
      if (addresses.length > 0 && JSON.stringify(addresses) !== JSON.stringify(this.options.settings.read().lastAddresses))
        this.remember({ lastAddresses: addresses });
      const users = this.options.settings.read().users;
      if (users.some((u) => u.name === event.username)) {
        const lastSync = { at: event.at, clientIp: event.clientIp };
        this.remember({ users: users.map((u) => (u.name === event.username ? { ...u, lastSync } : u)) });
      }
    }
    this.changed();
  }

  /** Remembers which clients an account's devices use (persisted: "which Anki does my phone run?"). */
  private onClient(seen: ClientSeen): void {
    const users = this.options.settings.read().users;
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
    const snapshots = await snapshotFigures(this.options.snapshots(user.name), this.options.log);
    return {
      name: user.name,
      lastSync: user.lastSync,
      clients: user.clients ?? [],
      ...figures,
      ...snapshots,
      snapshotWarning: this.snapshotWarning(user.name, snapshots.snapshots[0]?.takenAt ?? null),
    };
  }

  /** The account's snapshot warning, unless a snapshot was taken since. */
  private snapshotWarning(username: string, newest: number | null): string | null {
    const warning = this.snapshotWarnings.get(username);
    if (warning === undefined) return null;
    if (newest !== null && newest > warning.at) {
      this.snapshotWarnings.delete(username);
      return null;
    }
    return warning.sentence;
  }

  /**
   * Saves what the app notes on its own (a last sync, a client seen, the addresses devices used). These
   * arrive in the middle of a sync: a settings file that cannot be written (a
   * full disk) is logged, never turned into a failed sync.
   */
  remember(patch: Partial<AppSettings>): void {
    try {
      this.options.settings.update(patch);
    } catch (error) {
      this.options.log?.('saving settings failed', error);
    }
  }

  /** The storage folder's disk: the running server's reading, or one of its own while stopped. */
  private storageView(folder: string): StorageView | null {
    let space: Pick<SpaceView, 'freeBytes' | 'totalBytes' | 'failingSince'> & { low: boolean };
    const server = this.options.server();
    if (server !== null) {
      space = server.storageSpace();
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
}

/** What the refresh loop reads: a source of states and of change notices (a LiveView). */
export interface StateSource {
  state(): Promise<AppState>;
  onChange(listener: () => void): () => void;
}

/** The refresh loop of LiveView.follow, over any source (its tests give one they can hold mid-refresh). */
export function followChanges(
  source: StateSource,
  render: (state: AppState) => void,
  failed: (error: unknown) => void,
): { refresh(): Promise<void>; stop(): void } {
  let running: Promise<void> | null = null;
  let again = false;
  const refresh = (): Promise<void> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          render(await source.state());
        } while (again);
      } catch (error) {
        failed(error);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const stop = source.onChange(() => void refresh());
  return { refresh, stop };
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
