// Every setting of the server, once: its environment variable, the app's
// setting for it (if the window offers one), its type and range, its default
// and one line of help. The environment reader (config-from-env.ts), the app's
// settings validation and README's table of variables all come from here; a
// test fails when README and this table disagree. The official server's
// variables keep exactly their official meaning; ours are new names.
import { isIP } from 'node:net';

export type SettingKind =
  | { readonly type: 'integer'; readonly min: number; readonly max: number; readonly unit?: string }
  | { readonly type: 'integer-or-off'; readonly min: number; readonly max: number; readonly unit?: string }
  | { readonly type: 'ip-address' }
  | { readonly type: 'folder' }
  | { readonly type: 'file' }
  | { readonly type: 'choice'; readonly choices: readonly string[] }
  | { readonly type: 'presence' }
  | { readonly type: 'users' }
  | { readonly type: 'host-label' };

export interface SettingSpec {
  readonly env: string;
  /** The app's setting (settings.json) that stands for it, or null when the app uses the default. */
  readonly app: string | null;
  readonly kind: SettingKind;
  /** The default as README states it. */
  readonly defaultText: string;
  readonly help: string;
  /** Whether the official anki-sync-server reads this variable too. */
  readonly official: boolean;
}

export const CLIENT_IP_SOURCES = [
  'ConnectInfo',
  'RightmostXForwardedFor',
  'XRealIp',
  'CfConnectingIp',
  'TrueClientIp',
  'FlyClientIp',
  'CloudFrontViewerAddress',
] as const;

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_PAYLOAD_MEGS = 100;

/** The limits that keep one client, or a flood, from taking the server from everyone else. */
export interface ServerLimits {
  /** Largest decoded JSON request body, MiB. */
  readonly maxJsonMegs: number;
  /** Connections open at once, from everyone. */
  readonly maxConnections: number;
  /** Connections open at once from one address (the socket's, or the forwarded one behind a proxy). */
  readonly maxConnectionsPerIp: number;
  /** A connection with no bytes moving for this long is closed, seconds. */
  readonly idleTimeoutSecs: number;
  /** Requests of one account being received or handled at once. */
  readonly maxRequestsPerUser: number;
  /** An account's collection and media.db are closed after this long with no request, seconds; 0 keeps them open. */
  readonly idleCloseSecs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxJsonMegs: 64,
  maxConnections: 256,
  maxConnectionsPerIp: 32,
  idleTimeoutSecs: 60,
  maxRequestsPerUser: 4,
  idleCloseSecs: 600,
};

/** SYNC_SNAPSHOT_MINUTES' default: at most one automatic snapshot an hour per account. */
export const DEFAULT_SNAPSHOT_MINUTES = 60;

export const CONFIG_SCHEMA = {
  users: {
    env: 'SYNC_USER1, SYNC_USER2, …',
    app: 'users',
    kind: { type: 'users' },
    defaultText: 'required, unless `SYNC_USERS_FILE` is set',
    help: '`username:password`; reading stops at the first gap; the password is everything after the first `:`',
    official: true,
  },
  passwordsHashed: {
    env: 'PASSWORDS_HASHED',
    app: null,
    kind: { type: 'presence' },
    defaultText: 'unset',
    help: 'when set (to anything, even `0`), the part after `:` is a PHC hash: `pbkdf2-sha256` or `pbkdf2-sha512` (the official format), or `argon2id`; `anki-home-sync hash-password` makes one (argon2id, or `--pbkdf2` for a hash the official server reads too)',
    official: true,
  },
  usersFile: {
    env: 'SYNC_USERS_FILE',
    app: null,
    kind: { type: 'file' },
    defaultText: 'unset',
    help: 'a file of accounts, one `username:password` line each (`username:hash` with `PASSWORDS_HASHED`; `#` starts a comment), added to `SYNC_USERn`; edits are picked up while it runs: accounts are added, removed or get their new password without a restart, and a file with a mistake keeps the accounts as they were and says why in the log',
    official: false,
  },
  baseFolder: {
    env: 'SYNC_BASE',
    app: 'storageFolder',
    kind: { type: 'folder' },
    defaultText: '`~/.syncserver`',
    help: 'one folder per user, laid out exactly as the official server lays it out',
    official: true,
  },
  host: {
    env: 'SYNC_HOST',
    app: 'bindAddress',
    kind: { type: 'ip-address' },
    defaultText: `\`${DEFAULT_HOST}\``,
    help: 'IP address to listen on (an address, not a name: `localhost` is refused)',
    official: true,
  },
  port: {
    env: 'SYNC_PORT',
    app: 'port',
    kind: { type: 'integer', min: 0, max: 65535 },
    defaultText: `\`${DEFAULT_PORT}\``,
    help: 'port (`0` picks a free one); the app takes 1024–65535, which need no administrator rights',
    official: true,
  },
  maxPayloadMegs: {
    env: 'MAX_SYNC_PAYLOAD_MEGS',
    app: null,
    kind: { type: 'integer', min: 1, max: 9_999_999, unit: 'MiB' },
    defaultText: `\`${DEFAULT_MAX_PAYLOAD_MEGS}\``,
    help: 'request size limit in MiB; a collection or media batch may be up to 3× this once decompressed',
    official: true,
  },
  ipHeader: {
    env: 'SYNC_IP_HEADER',
    app: null,
    kind: { type: 'choice', choices: CLIENT_IP_SOURCES },
    defaultText: '`ConnectInfo`',
    help: 'behind a reverse proxy, where the client address comes from: `RightmostXForwardedFor`, `XRealIp`, `CfConnectingIp`, `TrueClientIp`, `FlyClientIp` or `CloudFrontViewerAddress`; limits per address then use it',
    official: true,
  },
  tlsCert: {
    env: 'SYNC_TLS_CERT',
    app: 'tlsCertFile',
    kind: { type: 'file' },
    defaultText: 'unset',
    help: 'with SYNC_TLS_KEY, serve HTTPS with this PEM certificate (the whole chain, leaf first, as `tailscale cert` and ACME tools write it); a renewed file is picked up without a restart',
    official: false,
  },
  tlsKey: {
    env: 'SYNC_TLS_KEY',
    app: 'tlsKeyFile',
    kind: { type: 'file' },
    defaultText: 'unset',
    help: "the certificate's PEM private key, without a passphrase; without both variables the server speaks plain HTTP, as the official one does",
    official: false,
  },
  maxJsonMegs: {
    env: 'MAX_SYNC_JSON_MEGS',
    app: null,
    kind: { type: 'integer', min: 1, max: 4096, unit: 'MiB' },
    defaultText: `\`${DEFAULT_LIMITS.maxJsonMegs}\``,
    help: 'largest JSON request once decompressed, in MiB (full uploads and media batches are files on disk and take MAX_SYNC_PAYLOAD_MEGS instead)',
    official: false,
  },
  maxConnections: {
    env: 'MAX_SYNC_CONNECTIONS',
    app: null,
    kind: { type: 'integer', min: 1, max: 100_000 },
    defaultText: `\`${DEFAULT_LIMITS.maxConnections}\``,
    help: 'connections open at once; more are closed at once',
    official: false,
  },
  maxConnectionsPerIp: {
    env: 'MAX_SYNC_CONNECTIONS_PER_IP',
    app: null,
    kind: { type: 'integer', min: 1, max: 100_000 },
    defaultText: `\`${DEFAULT_LIMITS.maxConnectionsPerIp}\``,
    help: 'connections open at once from one address; behind a proxy (SYNC_IP_HEADER set) it counts requests per forwarded address instead',
    official: false,
  },
  idleTimeoutSecs: {
    env: 'SYNC_IDLE_TIMEOUT_SECS',
    app: null,
    kind: { type: 'integer', min: 5, max: 3600, unit: 's' },
    defaultText: `\`${DEFAULT_LIMITS.idleTimeoutSecs}\``,
    help: 'a connection with no bytes moving for this many seconds is closed (a slow upload that keeps moving is not idle)',
    official: false,
  },
  lowSpaceMegs: {
    env: 'SYNC_LOW_SPACE_MEGS',
    app: null,
    kind: { type: 'integer', min: 1, max: 9_999_999, unit: 'MiB' },
    defaultText: "`256`, or twice an account's collection and media when that is more",
    help: "below this much free space on SYNC_BASE's disk, the log says so once, old snapshots give way (each account keeps its newest 3) and no new one is taken, and each device is told once in Anki; a write that finds no room is answered `507 Insufficient Storage`",
    official: false,
  },
  mdnsName: {
    env: 'SYNC_MDNS_NAME',
    app: null,
    kind: { type: 'host-label' },
    defaultText: 'unset',
    help: 'a name such as `anki-home`: the server answers for `anki-home.local` over multicast DNS on the networks it serves (where nothing else answers for it), and prints `http://anki-home.local:PORT/`, an address that keeps working when the router gives this computer another number',
    official: false,
  },
  maxRequestsPerUser: {
    env: 'MAX_SYNC_REQUESTS_PER_USER',
    app: null,
    kind: { type: 'integer', min: 1, max: 1000 },
    defaultText: `\`${DEFAULT_LIMITS.maxRequestsPerUser}\``,
    help: "requests of one account received or handled at once; more wait for a turn, and a device's own syncs never need more",
    official: false,
  },
  idleCloseSecs: {
    env: 'SYNC_IDLE_CLOSE_SECS',
    app: null,
    kind: { type: 'integer', min: 0, max: 86_400, unit: 's' },
    defaultText: `\`${DEFAULT_LIMITS.idleCloseSecs}\``,
    help: "an account's collection and media database are closed after this many seconds without a request (never while a sync is open), so memory follows the active accounts; they reopen on the next request; `0` keeps them open",
    official: false,
  },
  snapshotMinutes: {
    env: 'SYNC_SNAPSHOT_MINUTES',
    app: 'snapshotMinutes',
    kind: { type: 'integer-or-off', min: 0, max: 525_600, unit: 'min' },
    defaultText: `\`${DEFAULT_SNAPSHOT_MINUTES}\``,
    help: "after a sync that changed an account, a snapshot of its collection is kept (under the account's `snapshots/`), at most one per this many minutes; `0` after every sync; `off` takes none. Kept like Time Machine: every one of the last 24 hours, one a day for 30 days, one a week for 26 weeks, never fewer than 3; a full upload and a restore always keep the collection they replace",
    official: false,
  },
  snapshotDir: {
    env: 'SYNC_SNAPSHOT_DIR',
    app: 'snapshotDir',
    kind: { type: 'folder' },
    defaultText: 'unset',
    help: 'a second copy of every snapshot is written to this folder too (another disk, a NAS share); a missing or full folder is a warning in the log and the window, never a failed sync',
    official: false,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof CONFIG_SCHEMA;

/** The app's port range: the schema's, above the ports that need administrator rights. */
export const APP_PORT_MIN = 1024;

export function isAppPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= APP_PORT_MIN && (value as number) <= CONFIG_SCHEMA.port.kind.max;
}

/** A mistake in one setting; the message names the variable. */
export class ConfigError extends Error {}

/** The environment's value of a whole-number setting, or its default when unset. */
export function readInteger(env: NodeJS.ProcessEnv, name: SettingName & keyof typeof INTEGER_DEFAULTS): number {
  const spec: SettingSpec = CONFIG_SCHEMA[name];
  const text = env[spec.env];
  return text === undefined ? INTEGER_DEFAULTS[name] : parseInteger(spec, text);
}

/** A whole-number setting with no fixed default: undefined when unset. */
export function readOptionalInteger(env: NodeJS.ProcessEnv, name: 'lowSpaceMegs'): number | undefined {
  const spec: SettingSpec = CONFIG_SCHEMA[name];
  const text = env[spec.env];
  return text === undefined ? undefined : parseInteger(spec, text);
}

function parseInteger(spec: SettingSpec, text: string): number {
  if (spec.kind.type !== 'integer') throw new Error(`${spec.env} is not a whole-number setting`);
  const { min, max, unit } = spec.kind;
  const value = /^\+?[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(
      `${spec.env} must be a whole number${unit === undefined ? '' : ` of ${unit}`} from ${min} to ${max}, not "${text}".`,
    );
  }
  return value;
}

const INTEGER_DEFAULTS = {
  port: DEFAULT_PORT,
  maxPayloadMegs: DEFAULT_MAX_PAYLOAD_MEGS,
  ...DEFAULT_LIMITS,
} as const;

/** SYNC_SNAPSHOT_MINUTES: whole minutes, or `off`. */
export function readSnapshotMinutes(env: NodeJS.ProcessEnv): number | 'off' {
  const spec = CONFIG_SCHEMA.snapshotMinutes;
  const text = env[spec.env];
  if (text === undefined) return DEFAULT_SNAPSHOT_MINUTES;
  if (text.trim().toLowerCase() === 'off') return 'off';
  const { min, max, unit } = spec.kind;
  const value = /^\+?[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(`${spec.env} must be a whole number of ${unit} from ${min} to ${max}, or off, not "${text}".`);
  }
  return value;
}

/** SYNC_SNAPSHOT_DIR as given (relative to the working folder), or null when unset or empty. */
export function readSnapshotDir(env: NodeJS.ProcessEnv): string | null {
  const text = env[CONFIG_SCHEMA.snapshotDir.env];
  return text === undefined || text.trim() === '' ? null : text;
}

export function readIpAddress(env: NodeJS.ProcessEnv, name: 'host'): string {
  const spec = CONFIG_SCHEMA[name];
  const text = env[spec.env];
  if (text === undefined) return DEFAULT_HOST;
  if (isIP(text) === 0) throw new ConfigError(`${spec.env} must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, not "${text}".`);
  return text;
}

export function readChoice<T extends string>(env: NodeJS.ProcessEnv, name: 'ipHeader'): T | undefined {
  const spec = CONFIG_SCHEMA[name];
  const text = env[spec.env];
  if (text === undefined) return undefined;
  if (!(spec.kind.choices as readonly string[]).includes(text)) {
    throw new ConfigError(`${spec.env} must be one of ${spec.kind.choices.join(', ')}, not "${text}".`);
  }
  return text as T;
}

/** SYNC_TLS_CERT and SYNC_TLS_KEY: both, or neither. Paths are taken as given, relative to the working folder. */
export function readTlsFiles(env: NodeJS.ProcessEnv): { certFile: string; keyFile: string } | undefined {
  const certFile = env[CONFIG_SCHEMA.tlsCert.env];
  const keyFile = env[CONFIG_SCHEMA.tlsKey.env];
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || certFile.trim() === '' || keyFile === undefined || keyFile.trim() === '') {
    throw new ConfigError(
      `${CONFIG_SCHEMA.tlsCert.env} and ${CONFIG_SCHEMA.tlsKey.env} go together: set both (the certificate and its key, in PEM files) for HTTPS, or neither for plain HTTP.`,
    );
  }
  return { certFile, keyFile };
}

/** SYNC_USERS_FILE as given (relative to the working folder), or undefined when unset. */
export function readUsersFilePath(env: NodeJS.ProcessEnv): string | undefined {
  const spec = CONFIG_SCHEMA.usersFile;
  const path = env[spec.env];
  if (path === undefined) return undefined;
  if (path.trim() === '') throw new ConfigError(`${spec.env} is set but empty; give the file that lists the accounts, or unset it.`);
  return path;
}

/** Every limit, from the environment or its default. */
export function readLimits(env: NodeJS.ProcessEnv): ServerLimits {
  return {
    maxJsonMegs: readInteger(env, 'maxJsonMegs'),
    maxConnections: readInteger(env, 'maxConnections'),
    maxConnectionsPerIp: readInteger(env, 'maxConnectionsPerIp'),
    idleTimeoutSecs: readInteger(env, 'idleTimeoutSecs'),
    maxRequestsPerUser: readInteger(env, 'maxRequestsPerUser'),
    idleCloseSecs: readInteger(env, 'idleCloseSecs'),
  };
}

/** README's table of variables, as it must read. */
export function configTableMarkdown(): string {
  const rows = Object.values(CONFIG_SCHEMA as Record<string, SettingSpec>).map((spec) => {
    const names = spec.env
      .split(', ')
      .map((name) => (name === '…' ? name : `\`${name}\``))
      .join(', ');
    return `| ${names} | ${spec.defaultText} | ${spec.official ? '' : '(ours) '}${spec.help} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
