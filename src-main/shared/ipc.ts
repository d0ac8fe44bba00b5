// The one contract between the main process, the preload script and the window.
// Commands are invoked over `home-sync:<command>` channels and always answer with
// an ApiResult, so an error reaches the window as words, never as a stack trace.
// This module is imported by the renderer too: types and plain constants only.

export type BindAddress = 'all-interfaces' | 'this-computer-only';

export interface SettingsView {
  readonly storageFolder: string;
  readonly port: number;
  readonly bindAddress: BindAddress;
  readonly startAtLogin: boolean;
  readonly startInTray: boolean;
  readonly checkForUpdates: boolean;
  /** The HTTPS certificate and key files; empty for plain HTTP. */
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /** Where a second copy of every snapshot goes; empty for none. */
  readonly snapshotDir: string;
}

export type ServerStatus =
  | { readonly state: 'stopped' }
  | { readonly state: 'starting' }
  | { readonly state: 'running'; readonly port: number }
  | { readonly state: 'stopping' }
  | { readonly state: 'error'; readonly reason: string };

export type { AddressPlace, ClientAddress } from './addresses.js';
import type { ClientAddress } from './addresses.js';

export interface LastSync {
  readonly at: number;
  readonly clientIp: string;
}

/** A client an account's device uses: "Anki 25.02 (Linux)", and when it was last seen. */
export interface ClientSeenView {
  readonly client: string;
  readonly lastSeen: number;
}

export interface UserStatus {
  readonly name: string;
  readonly lastSync: LastSync | null;
  readonly clients: readonly ClientSeenView[];
  /** Bytes of collection.anki2 (0 before the first upload). */
  readonly collectionBytes: number;
  readonly notes: number;
  readonly cards: number;
  readonly mediaFiles: number;
  readonly mediaBytes: number;
  /** The account's snapshots, newest first (issue 24). */
  readonly snapshots: readonly SnapshotView[];
  /** What all of them take on disk, the media kept for them included. */
  readonly snapshotBytes: number;
  /** Set when the last snapshot the server meant to take was skipped (a nearly full disk), in words. */
  readonly snapshotWarning: string | null;
}

import type { SnapshotKindView } from './snapshot-words.js';
export type { SnapshotKindView };

/** One snapshot of an account's collection, as the window lists it. */
export interface SnapshotView {
  /** What restoreSnapshot and exportCollection take. */
  readonly id: string;
  readonly takenAt: number;
  readonly kind: SnapshotKindView;
  /** The kind in words ("after a sync"), from shared/snapshot-words.ts, as `snapshots list` says it. */
  readonly kindInWords: string;
  readonly bytes: number;
  /** Counts at the time; null where the server has not read them (an older backup). */
  readonly notes: number | null;
  readonly cards: number | null;
  readonly revlog: number | null;
}

/** A collection package written by "Download my collection". */
export interface ExportView {
  readonly file: string;
  readonly notes: number;
  readonly cards: number;
  readonly mediaFiles: number;
  readonly bytes: number;
}

import type { ActivityKind } from './activity-kinds.js';
export type { ActivityKind };

export interface ActivityEntry {
  readonly at: number;
  readonly kind: ActivityKind;
  readonly username: string;
  readonly clientIp: string;
  /** A sentence for a learner, e.g. "A device tried to log in as alice with a wrong password." */
  readonly message: string;
  /** A failure or a warning, as its event says (controller/activity-log.ts): the window marks it. */
  readonly isError: boolean;
}

export interface AppState {
  /**
   * Grows with every snapshot. Snapshots are built asynchronously and may reach
   * the window out of order; the window keeps the newest and drops older ones.
   */
  readonly revision: number;
  readonly server: ServerStatus;
  readonly settings: SettingsView;
  readonly addresses: readonly ClientAddress[];
  /** Set when no address reaches other devices, in words for a learner. */
  readonly addressWarning: string | null;
  readonly users: readonly UserStatus[];
  readonly activity: readonly ActivityEntry[];
  /** True until the first account exists: the window shows "Add the first account". */
  readonly firstRun: boolean;
  readonly syncs: readonly SyncView[];
  readonly update: UpdateView;
  /** Things the learner should act on, in words: a certificate expiring, a device that needs a newer server. */
  readonly alerts: readonly string[];
  /** The HTTPS certificate in use (while running with one), for the settings. */
  readonly certificate: CertificateView | null;
  /** The storage folder's disk, or null when it cannot be read (a drive not connected). */
  readonly storage: StorageView | null;
  /** Devices told something inside Anki (meta's msg) since the server started, newest first. */
  readonly told: readonly ToldView[];
  /** The home certificate authority, while the app serves its certificate ("Make my own certificate"). */
  readonly homeCertificate: HomeCertificateView | null;
}

/** What each device needs to trust the home certificate: the root, as text, as a file, as an iOS profile. */
export interface HomeCertificateView {
  /** The root certificate, PEM: AnkiDroid's custom sync certificate, and the QR code. */
  readonly rootPem: string;
  readonly rootFile: string;
  /** The iOS/iPadOS configuration profile holding the root. */
  readonly profileFile: string;
  /** Where an iPhone on the network opens that profile in Safari, served by the running server; null while it is not running or no device can reach it. */
  readonly profileUrl: string | null;
  /** The names and addresses the server certificate covers. */
  readonly names: readonly string[];
  readonly validTo: number;
}

/** A device that was told something inside Anki: who, from where, with which client, and what. */
export interface ToldView {
  readonly at: number;
  readonly username: string;
  readonly clientIp: string;
  /** "AnkiDroid 2.20.1 (Android)", or the client's own words. */
  readonly client: string;
  readonly message: string;
}

/** Free space on the storage folder's disk, and what to do when it runs low. */
export interface StorageView {
  readonly freeBytes: number;
  readonly totalBytes: number;
  /** `low`: below the threshold; `full`: writes are being refused for lack of space. */
  readonly state: 'ok' | 'low' | 'full';
  /** "38 GB free of 250 GB". */
  readonly summary: string;
  /** Set while the disk is nearly full or refusing writes: what happened and what to do, in words. */
  readonly warning: string | null;
}

export interface CertificateView {
  readonly names: readonly string[];
  readonly validTo: number;
}

/** A sync in progress, as the window and the tray show it. */
export interface SyncView {
  readonly username: string;
  readonly clientIp: string;
  readonly kind: 'full-upload' | 'full-download' | 'normal-sync' | 'media-sync';
  /** The protocol method in progress: `applyChunk`, `uploadChanges`, `upload`… */
  readonly step: string;
  /** Bytes for full syncs, media files for media syncs. */
  readonly done: number;
  readonly total: number | null;
  readonly startedAt: number;
}

/** The app's own updates: checking is off, nothing new, looking, or a version downloaded and ready. */
export type UpdateView =
  | { readonly state: 'off' }
  | { readonly state: 'idle' }
  | { readonly state: 'checking' }
  | { readonly state: 'ready'; readonly version: string }
  /** A newer version this copy cannot install by itself (an unsigned Mac build): downloaded by hand from `url`. */
  | { readonly state: 'available'; readonly version: string; readonly url: string };

export interface ApiError {
  /** Stable, for code: `port-in-use`, `bad-name`, ... */
  readonly code: string;
  /** What happened, why and what to do, in words for a learner. */
  readonly message: string;
}

export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** What the main process implements. Methods may throw an AppError; the IPC layer wraps results. */
export interface AppCommands {
  getState(): Promise<AppState>;
  startServer(): Promise<AppState>;
  stopServer(): Promise<AppState>;
  addUser(name: string, password: string): Promise<AppState>;
  removeUser(name: string): Promise<AppState>;
  renameUser(from: string, to: string): Promise<AppState>;
  changePassword(name: string, password: string): Promise<AppState>;
  setPort(port: number): Promise<AppState>;
  setBindAddress(bind: BindAddress): Promise<AppState>;
  /** Opens the folder dialog; a cancelled dialog leaves everything as it was. */
  chooseStorageFolder(): Promise<AppState>;
  setStartAtLogin(on: boolean): Promise<AppState>;
  setStartInTray(on: boolean): Promise<AppState>;
  /** Answers with the text copied. */
  copyText(text: string): Promise<string>;
  /** A PNG data: URL of the QR code for `text`, made in the main process. */
  qrCode(text: string): Promise<string>;
  /** A snapshot of the account's collection now, whatever SYNC_SNAPSHOT_MINUTES says. */
  takeSnapshot(name: string): Promise<AppState>;
  /** Puts that snapshot's collection and media back; the collection it replaces is kept as a snapshot. */
  restoreSnapshot(name: string, snapshotId: string): Promise<AppState>;
  /**
   * Opens the save dialog, then writes the account's collection (snapshotId null: as it is now; else
   * that snapshot's) and media as a .colpkg; `legacy` for Anki before 2.1.50. Null when cancelled.
   */
  exportCollection(name: string, snapshotId: string | null, legacy: boolean): Promise<ExportView | null>;
  setCheckForUpdates(on: boolean): Promise<AppState>;
  /** Opens a file dialog for the HTTPS certificate or its key; a cancelled dialog changes nothing. */
  chooseTlsFile(which: 'cert' | 'key'): Promise<AppState>;
  /** Opens the folder dialog for the snapshots' second copy; a cancelled dialog changes nothing. */
  chooseSnapshotFolder(): Promise<AppState>;
  /** No second copy of the snapshots any more (those written stay where they are). */
  clearSnapshotFolder(): Promise<AppState>;
  /** Back to plain HTTP. */
  clearTls(): Promise<AppState>;
  /** Makes a home certificate authority (or keeps the one there) and serves HTTPS with its certificate. */
  makeHomeCertificate(): Promise<AppState>;
  /** Opens the root certificate with the system (Windows' certificate wizard, macOS's Keychain Access). */
  openRootCertificate(): Promise<AppState>;
  /** Shows the iOS profile in its folder, to AirDrop or mail it to an iPhone. */
  showAppleProfile(): Promise<AppState>;
  /** Quits and installs the downloaded version; refused while a device is syncing. */
  installUpdate(): Promise<AppState>;
}

export type CommandName = keyof AppCommands;

/** What the window sees as `window.homeSync`. */
export type AppApi = {
  readonly [K in CommandName]: (...args: Parameters<AppCommands[K]>) => Promise<ApiResult<Awaited<ReturnType<AppCommands[K]>>>>;
} & {
  /** Called whenever something changes without the window asking (a sync, the tray). */
  onStateChanged(listener: (state: AppState) => void): () => void;
};

export const CHANNEL_PREFIX = 'home-sync:';
export type CommandChannel = `${typeof CHANNEL_PREFIX}${CommandName}`;
export const STATE_CHANGED_CHANNEL = 'home-sync:state-changed';
export type StateChangedChannel = typeof STATE_CHANGED_CHANNEL;

// A Record over every CommandName, so adding a command without listing it here fails to compile.
const COMMANDS: Readonly<Record<CommandName, true>> = {
  getState: true,
  startServer: true,
  stopServer: true,
  addUser: true,
  removeUser: true,
  renameUser: true,
  changePassword: true,
  setPort: true,
  setBindAddress: true,
  chooseStorageFolder: true,
  setStartAtLogin: true,
  setStartInTray: true,
  copyText: true,
  qrCode: true,
  makeHomeCertificate: true,
  openRootCertificate: true,
  showAppleProfile: true,
  takeSnapshot: true,
  chooseSnapshotFolder: true,
  clearSnapshotFolder: true,
  restoreSnapshot: true,
  exportCollection: true,
  setCheckForUpdates: true,
  installUpdate: true,
  chooseTlsFile: true,
  clearTls: true,
};
export const COMMAND_NAMES = Object.keys(COMMANDS) as readonly CommandName[];

export function commandChannel(name: CommandName): CommandChannel {
  return `${CHANNEL_PREFIX}${name}`;
}
