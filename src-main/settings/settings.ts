// What the app remembers between runs, and the one narrow interface through which
// the controller reads and writes it. The app backs it with electron-store; tests
// and headless runs with `conf` (electron-store cannot even be imported outside
// Electron). Both are the same Conf class underneath, so one adapter serves both.

import type { BindAddress, ClientSeenView, LastSync } from '../shared/ipc.js';
import { DEFAULT_PORT, isAppPort, userFolderKey, usernameProblem } from '../server/index.js';

export interface StoredUser {
  readonly name: string;
  /** argon2id PHC string. The password itself is never stored. */
  readonly phc: string;
  readonly lastSync: LastSync | null;
  /** The clients this account's devices use, most recently seen first (a few at most). */
  readonly clients?: readonly ClientSeenView[];
}

export interface AppSettings {
  readonly users: readonly StoredUser[];
  /** SYNC_BASE; empty means the controller's default folder. */
  readonly storageFolder: string;
  readonly port: number;
  readonly bindAddress: BindAddress;
  readonly startAtLogin: boolean;
  readonly startInTray: boolean;
  /** Set once the learner has been told that closing the window keeps the server running. */
  readonly trayNoticeShown: boolean;
  /** Set once the learner has been told that their desktop shows no tray icon (Linux). */
  readonly noTrayNoticeShown: boolean;
  /** Look for a new version at start and once a day. */
  readonly checkForUpdates: boolean;
  /** HTTPS: the PEM certificate (chain) and key files; both empty for plain HTTP. */
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /** SYNC_SNAPSHOT_DIR: a folder every snapshot is also written to (another disk, a NAS share); empty for none. */
  readonly snapshotDir: string;
  /**
   * An account rename whose folder move may not have reached the disk: written
   * (durably) before the move, cleared after it. The next start finishes the move,
   * so the renamed account never opens an empty folder while its collection sits
   * under the old name.
   */
  readonly renaming: FolderRename | null;
  /** This computer's home addresses when a device last synced: a later start without any of them means DHCP moved it. */
  readonly lastAddresses: readonly string[];
}

export interface FolderRename {
  readonly from: string;
  readonly to: string;
}

export const DEFAULT_SETTINGS: AppSettings = {
  users: [],
  storageFolder: '',
  port: DEFAULT_PORT,
  bindAddress: 'all-interfaces',
  startAtLogin: false,
  startInTray: false,
  trayNoticeShown: false,
  noTrayNoticeShown: false,
  checkForUpdates: true,
  tlsCertFile: '',
  tlsKeyFile: '',
  snapshotDir: '',
  renaming: null,
  lastAddresses: [],
};

export interface SettingsStore {
  read(): AppSettings;
  update(patch: Partial<AppSettings>): void;
  /** Where the file lives, for messages. */
  readonly path: string;
}

/**
 * Keeps every field that has the right shape and falls back to the default for
 * the rest, so a hand-edited or half-written file never stops the app starting.
 */
export function sanitizeSettings(raw: unknown): AppSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const pick = <K extends keyof AppSettings>(key: K, ok: (v: unknown) => boolean): AppSettings[K] =>
    ok(r[key]) ? (r[key] as AppSettings[K]) : DEFAULT_SETTINGS[key];
  const users = Array.isArray(r.users) ? usableUsers(r.users.filter(isStoredUser).map(normaliseUser)) : [];
  return {
    users,
    storageFolder: pick('storageFolder', (v) => typeof v === 'string'),
    port: pick('port', isAppPort),
    bindAddress: pick('bindAddress', (v) => v === 'all-interfaces' || v === 'this-computer-only'),
    startAtLogin: pick('startAtLogin', (v) => typeof v === 'boolean'),
    startInTray: pick('startInTray', (v) => typeof v === 'boolean'),
    trayNoticeShown: pick('trayNoticeShown', (v) => typeof v === 'boolean'),
    noTrayNoticeShown: pick('noTrayNoticeShown', (v) => typeof v === 'boolean'),
    checkForUpdates: pick('checkForUpdates', (v) => typeof v === 'boolean'),
    tlsCertFile: pick('tlsCertFile', (v) => typeof v === 'string'),
    tlsKeyFile: pick('tlsKeyFile', (v) => typeof v === 'string'),
    snapshotDir: pick('snapshotDir', (v) => typeof v === 'string'),
    renaming: pick('renaming', isFolderRename),
    lastAddresses: pick('lastAddresses', (v) => Array.isArray(v) && v.every((a) => typeof a === 'string')),
  };
}

/** Drops names the server would refuse (unsafe folder names, a second Alice/alice), keeping the first. */
function usableUsers(users: StoredUser[]): StoredUser[] {
  const seen = new Set<string>();
  return users.filter((user) => {
    const key = userFolderKey(user.name);
    if (usernameProblem(user.name) !== null || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isStoredUser(v: unknown): v is StoredUser {
  if (typeof v !== 'object' || v === null) return false;
  const u = v as Record<string, unknown>;
  return typeof u.name === 'string' && typeof u.phc === 'string' && u.phc.startsWith('$argon2id$');
}

function isFolderRename(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.from === 'string' && typeof r.to === 'string' && usernameProblem(r.from) === null && usernameProblem(r.to) === null;
}

function isClientSeen(v: unknown): v is ClientSeenView {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['client'] === 'string' && typeof c['lastSeen'] === 'number';
}

function normaliseUser(u: StoredUser): StoredUser {
  const ls = u.lastSync as unknown;
  const lastSync =
    typeof ls === 'object' && ls !== null && typeof (ls as LastSync).at === 'number' && typeof (ls as LastSync).clientIp === 'string'
      ? { at: (ls as LastSync).at, clientIp: (ls as LastSync).clientIp }
      : null;
  const raw: unknown = u.clients;
  const clients = Array.isArray(raw)
    ? (raw as unknown[]).filter(isClientSeen).map((c) => ({ client: c.client, lastSeen: c.lastSeen }))
    : [];
  return { name: u.name, phc: u.phc, lastSync, ...(clients.length > 0 ? { clients } : {}) };
}
