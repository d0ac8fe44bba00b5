// The sync server object behind both front doors (the headless command and the
// Electron app): start and stop, live user changes, per-user state and locks,
// and the activity events the app lists.
import { EventEmitter } from 'node:events';
import { createServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerConfig, UserAccount } from './config.js';
import type { ActivityEvent, PayloadLimits } from './protocol.js';
import { UserDirectory } from './auth/user-directory.js';
import { checkUsernames } from './auth/usernames.js';
import { RequestPipeline } from './http/request-pipeline.js';
import { hostKeyMethod } from './auth/host-key-method.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.js';
import { answerClientError } from './http/client-error.js';
import { capConnections, RequestsPerAddress } from './http/connection-limits.js';
import { User } from './user.js';
import { AuthFailedError } from './errors.js';
import { listenProblem, listenProblemForLog } from './listen-errors.js';
import { consoleLogger, type Logger } from './log.js';
import { LogFloodGate } from './log-flood.js';
import { createUserFolders, serverFolder, userPaths } from './storage/user-paths.js';
import { removeSpoolLeftovers, spoolPath } from './storage/spool-files.js';
import { StoragePresence, type StorageChange } from './storage/storage-presence.js';
import { openToOthers } from './storage/private-files.js';
import { makeFolder } from './storage/durable.js';
import { StorageSpace, type SpaceView } from './storage/storage-space.js';
import { makeRoom } from './storage/make-room.js';
import { LearnerNotices } from './learner-notices.js';
import { DEFAULT_LIMITS, type ServerLimits } from './config-schema.js';
import { SpoolQuota } from './envelope/spool-quota.js';
import { UserSlots } from './user-slots.js';
import { ActivityFloodGate } from './activity-flood.js';
import type { MethodDescriptor, MethodLimits } from './method-table.js';
import { SyncProgressTracker, type SyncProgress } from './sync-progress.js';
import { ClientVersions, type ClientSeen } from './client-versions.js';
import { CertificateError, expiryWarning, loadCertificatePair, type CertificatePair } from './tls/certificate-pair.js';
import { CertificateWatcher, type ReloadOutcome, type WatcherOptions } from './tls/certificate-watcher.js';

const MIB = 1024 * 1024;
/** A request head (line and headers) must arrive within this. */
const HEADERS_TIMEOUT_MS = 20_000;

export interface SyncServerOptions {
  readonly logger?: Logger;
  /** How long stop() lets requests still receiving their body finish before cutting them off. */
  readonly shutdownGraceMs?: number;
  /** Told how long each method's handler ran (the benches time handlers apart from transport). */
  readonly onHandlerTimed?: (method: MethodDescriptor, ms: number) => void;
  /** Login throttling (tests shorten its delays). */
  readonly loginThrottle?: Partial<LoginThrottleOptions>;
  /** How the certificate files are watched for renewal (tests poll faster). */
  readonly certificateWatch?: WatcherOptions;
}

/** What the window and the log say about the HTTPS certificate in use. */
export interface CertificateStatus {
  readonly certFile: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validTo: number;
  /** Expired or expiring within 14 days, in words; null while it is fine. */
  readonly warning: string | null;
}

/** TLS 1.2 stays enabled: iOS clients fail without it (the Anki manual's error -9836). */
const TLS_MIN_VERSION = 'TLSv1.2';

function secureContext(pair: CertificatePair): { cert: Buffer; key: Buffer; minVersion: typeof TLS_MIN_VERSION } {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

export type SyncServerState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface SyncServerStatus {
  readonly state: SyncServerState;
  /** Where it listens while running. */
  readonly address: { readonly host: string; readonly port: number } | null;
  readonly users: readonly string[];
  readonly activeRequests: number;
  /** `https` when serving a certificate. */
  readonly scheme: 'http' | 'https';
}

export class ServerStartError extends Error {}

export interface SyncServerEvents {
  activity: [ActivityEvent];
  /** A sync started, moved on, or ended (`finished`); at most a few a second per sync. */
  progress: [SyncProgress];
  /** An account's device used this client (at most once a minute per account and client). */
  client: [ClientSeen];
  /** The storage disk became nearly full, refused a write, or has room again. */
  space: [SpaceView];
}

export function payloadLimits(maxPayloadMegs: number): PayloadLimits {
  return { maxBytes: maxPayloadMegs * MIB, maxUncompressedBytes: 3 * maxPayloadMegs * MIB };
}

/**
 * Legacy data that arrives before its key (the Rust client of 2.1.28–2.1.56
 * sends `data` first) is spooled under this quota, shared by every
 * connection: room for a few full uploads at once, and no more.
 */
const PRE_AUTH_SPOOL_PAYLOADS = 4;

/** How often the storage disk's free space is read while nothing asks. */
const SPACE_CHECK_MS = 60_000;

export class SyncServer extends EventEmitter<SyncServerEvents> {
  private directory: UserDirectory;
  /** One per account that a request, a start or a restore has touched since the server started. */
  private readonly users = new Map<string, User>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: Logger;
  /** The lines of refused and failed requests go through here, so a flood of them writes a few lines, not one per request. */
  private readonly refusalLog: LogFloodGate;
  private readonly limits: MethodLimits;
  private readonly serverLimits: ServerLimits;
  private readonly preAuthQuota: SpoolQuota;
  private readonly loginThrottle: LoginThrottle;
  private readonly activityGate = new ActivityFloodGate((event) => this.emit('activity', event));
  private readonly progress = new SyncProgressTracker({ emit: (progress) => this.emit('progress', progress) });
  private readonly clients = new ClientVersions(
    (seen) => this.emit('client', seen),
    (seen) => this.logger.info('client', { uid: seen.username, ip: seen.clientIp, client: seen.client, raw: seen.raw }),
  );
  /** Checked before any request touches a user's files: SYNC_BASE may be on a drive that goes away. */
  private readonly storage: StoragePresence;
  /** How full SYNC_BASE's disk is; read at each write and once a minute. */
  private readonly space: StorageSpace;
  private readonly notices: LearnerNotices;
  private spaceTimer: NodeJS.Timeout | null = null;
  private http: Server | HttpsServer | null = null;
  private certificates: CertificateWatcher | null = null;
  private state: SyncServerState = 'stopped';
  private address: { host: string; port: number } | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly options: SyncServerOptions = {},
  ) {
    super();
    this.logger = options.logger ?? consoleLogger;
    this.refusalLog = new LogFloodGate(this.logger);
    this.storage = new StoragePresence(config.baseFolder, (change) => this.storageChanged(change));
    this.space = new StorageSpace(config.baseFolder, {
      ...(config.lowSpaceMegs === undefined ? {} : { lowSpaceMegs: config.lowSpaceMegs }),
      logger: this.logger,
      onChange: (view) => this.emit('space', view),
    });
    this.notices = new LearnerNotices([(account) => this.space.notice(account.bytes)]);
    this.serverLimits = { ...DEFAULT_LIMITS, ...config.limits };
    this.limits = { ...payloadLimits(config.maxPayloadMegs), maxJsonBytes: this.serverLimits.maxJsonMegs * MIB };
    this.preAuthQuota = new SpoolQuota(PRE_AUTH_SPOOL_PAYLOADS * this.limits.maxBytes);
    this.loginThrottle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, ...options.loginThrottle });
    this.directory = SyncServer.directoryFor(config.users);
  }

  private static directoryFor(users: readonly UserAccount[]): UserDirectory {
    const problem = checkUsernames(users.map((user) => user.name));
    if (problem !== null) throw new Error(problem);
    return new UserDirectory(users);
  }

  get status(): SyncServerStatus {
    return {
      state: this.state,
      address: this.address,
      users: this.directory.accounts.map((account) => account.name),
      activeRequests: this.inFlight.size,
      scheme: this.config.tls === undefined ? 'http' : 'https',
    };
  }

  /** How full the storage disk is (read again when the last reading is a few seconds old). */
  storageSpace(): SpaceView {
    return this.space.view();
  }

  /** The certificate being served, or null over plain HTTP. */
  certificate(): CertificateStatus | null {
    const pair = this.certificates?.current;
    if (pair === undefined) return null;
    return {
      certFile: pair.certFile,
      dnsNames: pair.dnsNames,
      ipAddresses: pair.ipAddresses,
      validTo: pair.validTo.getTime(),
      warning: expiryWarning(pair),
    };
  }

  /** Accounts with a sync in progress (a request, or a sync between its requests). */
  syncing(): string[] {
    return this.progress.syncing();
  }

  /** Where each sync in progress stands. */
  syncsInProgress(): SyncProgress[] {
    return this.progress.current();
  }

  /** Prepares every user's folder, then listens. Resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'stopped') throw new ServerStartError(`the server is ${this.state}`);
    this.state = 'starting';
    try {
      await makeFolder(this.config.baseFolder);
      const openMode = openToOthers(this.config.baseFolder);
      if (openMode !== null) {
        this.logger.warn('SYNC_BASE can be read by other accounts on this computer; its mode is left as it is', {
          path: this.config.baseFolder,
          mode: openMode,
        });
      }
      const ownFolder = serverFolder(this.config.baseFolder);
      await makeFolder(ownFolder);
      await removeSpoolLeftovers(ownFolder);
      for (const account of this.directory.accounts) await this.prepareFolder(account);
      const pipeline = new RequestPipeline({
        limits: this.limits,
        ipSource: this.config.ipHeader ?? 'ConnectInfo',
        slots: new UserSlots(this.serverLimits.maxRequestsPerUser),
        perAddress: this.config.ipHeader === undefined ? null : new RequestsPerAddress(this.serverLimits.maxConnectionsPerIp),
        logger: this.logger,
        refusalLog: this.refusalLog,
        users: () => this.directory,
        userFor: (account) => this.userFor(account),
        spoolPath: (account) => spoolPath(this.userFor(account).paths.folder, 'upload'),
        preAuthSpill: () => {
          this.storage.check();
          return { path: spoolPath(ownFolder, 'upload'), quota: this.preAuthQuota };
        },
        login: (body, address) => hostKeyMethod(this.directory, body, this.loginThrottle, address),
        onHandlerTimed: this.options.onHandlerTimed,
        record: (event) => this.activityGate.record(event),
        progress: this.progress,
        clientSeen: (username, clientIp, client) => this.clients.seen(username, clientIp, client),
        makeRoom: (bytes) => makeRoom(this.space, this.config.baseFolder, bytes, this.logger),
        outOfSpace: () => this.space.noteOutOfSpace(),
        wroteFine: () => this.space.noteWriteSucceeded(),
      });
      // No overall request timeout: a full upload on a slow link can take many minutes. A head must
      // arrive within HEADERS_TIMEOUT_MS, and a connection with no bytes moving for idleTimeoutSecs
      // is closed, so a client that stops reading a download cannot hold its user's lock for long.
      // Clients themselves give up after 30–60 s.
      const idleMs = this.serverLimits.idleTimeoutSecs * 1000;
      const httpOptions: ServerOptions = {
        requestTimeout: 0,
        headersTimeout: Math.min(HEADERS_TIMEOUT_MS, idleMs),
        keepAliveTimeout: 5_000,
      };
      const pair = this.loadCertificate();
      const onRequest: Parameters<typeof createServer>[1] = (req, res) => {
        const handled = pipeline
          .handle(req, res)
          // handle() answers every error itself; anything escaping it is logged, never fatal to the server.
          .catch((error: unknown) => this.logger.error('request handling failed', { error: String(error) }))
          .finally(() => this.inFlight.delete(handled));
        this.inFlight.add(handled);
      };
      const http =
        pair === null ? createServer(httpOptions, onRequest) : createHttpsServer({ ...httpOptions, ...secureContext(pair) }, onRequest);
      if (pair !== null) this.watchCertificate(http as HttpsServer, pair);
      http.on('clientError', answerClientError);
      http.setTimeout(idleMs);
      capConnections(http, {
        total: this.serverLimits.maxConnections,
        perAddress: this.config.ipHeader === undefined ? this.serverLimits.maxConnectionsPerIp : null,
      });
      this.address = await listen(http, this.config.host, this.config.port);
      this.http = http;
      this.state = 'running';
      // The owner hears of a filling disk (log, window, tray) even when nobody syncs.
      this.space.view(true);
      this.spaceTimer = setInterval(() => this.space.view(true), SPACE_CHECK_MS).unref();
      this.logger.info('listening', { addr: `${this.address.host}:${this.address.port}` });
      return this.address;
    } catch (error) {
      this.certificates?.stop();
      this.certificates = null;
      // Release what prepareFolder opened (media.db is held exclusively), so a retry can start.
      await this.retireUsers(() => false);
      this.state = 'stopped';
      throw error;
    }
  }

  /**
   * Stops listening, lets requests in progress finish (cutting off, after the
   * grace period, clients still sending a body; a method that has started
   * always runs to its end), then rolls back open syncs and closes every file.
   */
  async stop(): Promise<void> {
    const http = this.http;
    if (http === null || this.state !== 'running') return;
    this.state = 'stopping';
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.options.shutdownGraceMs ?? 10_000).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    http.closeAllConnections();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await closed;
    await this.retireUsers(() => false);
    this.certificates?.stop();
    this.certificates = null;
    if (this.spaceTimer !== null) clearInterval(this.spaceTimer);
    this.spaceTimer = null;
    this.progress.clear();
    this.activityGate.flush();
    this.refusalLog.flush();
    this.http = null;
    this.address = null;
    this.state = 'stopped';
    this.logger.info('stopped');
  }

  /**
   * Replaces the accounts; takes effect for the next request. Removed users'
   * open syncs are rolled back and their files closed; their data stays on disk.
   */
  async setUsers(users: readonly UserAccount[]): Promise<void> {
    // Validation throws before anything changes; the swap itself is synchronous.
    this.directory = SyncServer.directoryFor(users);
    await this.retireUsers((name) => this.directory.has(name));
  }

  /**
   * Renames an account. Under its lock, with its files closed, `moveFolder`
   * moves its folder; then the accounts become `users`, before any other
   * request of the old name can run. Such a request, waiting or still
   * arriving, is refused as an outdated host key, and nothing is created under
   * the old name again. If `moveFolder` throws, nothing changes.
   */
  async renameUser(from: string, users: readonly UserAccount[], moveFolder: () => Promise<void>): Promise<void> {
    const next = SyncServer.directoryFor(users);
    await this.withUserFilesClosed(from, async () => {
      await moveFolder();
      this.directory = next;
      this.users.get(from)?.retire();
      this.users.delete(from);
    });
    await this.retireUsers((name) => this.directory.has(name));
  }

  /**
   * Runs `work` while no request of `username` runs and none of its files is
   * open: under the user's lock, its open sync rolled back and its collection and
   * media closed (they reopen on the next request, which waits for `work`). A
   * backup restore swaps the collection file this way, the account staying on
   * the server.
   */
  async withUserFilesClosed<T>(username: string, work: () => Promise<T>): Promise<T> {
    const account = this.directory.accounts.find((candidate) => candidate.name === username);
    if (account === undefined) return work();
    const user = this.userFor(account);
    return user.withLock(async () => {
      user.closeFiles();
      return work();
    });
  }

  /** The configured pair, checked before anything listens; null over plain HTTP. */
  private loadCertificate(): CertificatePair | null {
    const tls = this.config.tls;
    if (tls === undefined) return null;
    let pair: CertificatePair;
    try {
      pair = loadCertificatePair(tls.certFile, tls.keyFile);
    } catch (error) {
      if (error instanceof CertificateError) throw new ServerStartError(error.message, { cause: error });
      throw error;
    }
    const warning = expiryWarning(pair);
    if (warning !== null) {
      this.logger.warn(warning, { cert: pair.certFile });
      this.emit('activity', { kind: 'certificate', username: '', clientIp: '', at: Date.now(), detail: warning, warning: true });
    }
    return pair;
  }

  private watchCertificate(http: HttpsServer, pair: CertificatePair): void {
    const report = (outcome: ReloadOutcome): void => {
      const at = Date.now();
      if (outcome.ok) {
        const until = outcome.pair.validTo.toISOString().slice(0, 10);
        this.logger.info('certificate renewed', { cert: outcome.pair.certFile, until });
        const warning = expiryWarning(outcome.pair);
        this.emit('activity', {
          kind: 'certificate',
          username: '',
          clientIp: '',
          at,
          detail: warning ?? `The HTTPS certificate was renewed; it is valid until ${until}. Syncs in progress were not interrupted.`,
          warning: warning !== null,
        });
      } else {
        this.logger.warn('certificate not renewed; the old one stays in use', { reason: outcome.reason });
        this.emit('activity', {
          kind: 'certificate',
          username: '',
          clientIp: '',
          at,
          detail: `The certificate files changed, but the new pair could not be used, so the old one stays in use. ${outcome.reason}`,
          failed: true,
        });
      }
    };
    // New connections get the new context; open ones keep theirs.
    this.certificates = new CertificateWatcher(
      pair,
      (next) => http.setSecureContext(secureContext(next)),
      report,
      this.options.certificateWatch,
    );
    this.certificates.start();
  }

  /** The account's User, made on first use; 403 for an account no longer on the server (removed or renamed meanwhile). */
  private userFor(account: UserAccount): User {
    this.storage.check();
    let user = this.users.get(account.name);
    if (user === undefined) {
      if (!this.directory.has(account.name)) throw new AuthFailedError('invalid hkey: the account left the server');
      const paths = userPaths(this.config.baseFolder, account.name);
      // A user added while running gets the folders the others got at start.
      createUserFolders(paths);
      user = new User(account.name, paths, this.limits, (event) => this.emit('activity', event), this.notices);
      this.users.set(account.name, user);
    }
    return user;
  }

  /**
   * SYNC_BASE went away or came back. When it goes, every user's files are
   * closed (under their locks, after the request in progress): a handle on a
   * removed drive would fail for ever, and the files must reopen from the drive
   * once it is back.
   */
  private storageChanged(change: StorageChange): void {
    const at = Date.now();
    if (change.present) this.logger.info(change.sentence);
    else this.logger.error(change.sentence);
    this.emit('activity', { kind: 'storage', username: '', clientIp: '', at, detail: change.sentence, failed: !change.present });
    if (change.present) return;
    for (const user of this.users.values()) void user.withLock(async () => user.closeFiles()).catch(() => undefined);
  }

  /** Every user `keep` refuses leaves the server: open syncs rolled back, files closed, waiting requests refused. */
  private async retireUsers(keep: (name: string) => boolean): Promise<void> {
    for (const [name, user] of this.users) {
      if (keep(name)) continue;
      this.users.delete(name);
      await user.withLock(async () => user.retire()).catch(() => undefined);
    }
  }

  /** The user's folder, media folder and media.db exist from the start, as with the official server; stale spool files go. */
  private async prepareFolder(account: UserAccount): Promise<void> {
    const paths = userPaths(this.config.baseFolder, account.name);
    createUserFolders(paths);
    const leftovers = await removeSpoolLeftovers(paths.folder);
    if (leftovers.length > 0)
      this.logger.info('removed temporary files an earlier run left', { uid: account.name, files: leftovers.length });
    // media.db is opened (created, migrated) now and held for the server's life, as the official server does.
    try {
      this.userFor(account).mediaStore();
    } catch (error) {
      const why = /locked|busy/i.test(String(error)) ? 'it is in use (is another sync server running on this folder?)' : String(error);
      throw new ServerStartError(`couldn't open ${paths.mediaDb}: ${why}`, { cause: error });
    }
  }
}

function listen(http: Server | HttpsServer, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const problem = listenProblem(error.code);
      const reason = problem === null ? error.message : listenProblemForLog(problem);
      reject(new ServerStartError(`couldn't bind to ${where}: ${reason}`, { cause: error }));
    };
    const onListening = (): void => {
      http.off('error', onError);
      const bound = http.address() as AddressInfo;
      resolve({ host: bound.address, port: bound.port });
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
}
