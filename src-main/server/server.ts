// The sync server object behind both front doors (the headless command and the
// Electron app): start and stop, live account changes (handed to the Users,
// users.ts), and the events the app lists.
import { EventEmitter } from 'node:events';
import type { Server, ServerOptions } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ServerConfig, UserAccount } from './config/config.js';
import type { ActivityEvent, PayloadLimits } from './protocol.js';
import { RequestPipeline } from './http/request-pipeline.js';
import { answerClientError } from './http/client-error.js';
import { capConnections, RequestsPerAddress } from './http/connection-limits.js';
import { UserSlots } from './http/user-slots.js';
import { Users, FolderError, type UsersOptions } from './users.js';
import { listen, ServerStartError } from './reach/listen.js';
import { servedRootProfile } from './reach/apple-profile.js';
import { homeAuthorityOf } from './reach/home-authority.js';
import { ServedCertificate, type CertificateStatus, type WatcherOptions } from './reach/tls/served-certificate.js';
import { consoleLogger, type Logger } from './report/log.js';
import { RequestReport, type ClientSeen, type SyncProgress } from './report/request-report.js';
import { LearnerNotices, type NoticeTold, type ToldDevices } from './report/learner-notices.js';
import { certificateNotice, restoredNotice, UpdateAnnouncement } from './reach/learner-events.js';
import { StorageSpace, type SpaceView } from './storage/storage-space.js';
import { DiskRoom } from './storage/make-room.js';
import { DEFAULT_LIMITS, type ServerLimits } from './config/config-schema.js';
import type { MethodDescriptor, MethodLimits } from './method-table.js';
import type { AccountSnapshots } from './storage/snapshots/snapshot-types.js';
import { SnapshotKeeper } from './storage/snapshots/snapshot-keeper.js';

export { ServerStartError } from './reach/listen.js';
export type { CertificateStatus } from './reach/tls/served-certificate.js';

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
  readonly loginThrottle?: UsersOptions['loginThrottle'];
  /** How the certificate files are watched for renewal (tests poll faster). */
  readonly certificateWatch?: WatcherOptions;
  /** Devices told in Anki by an earlier server of this process (the app's restarts), so they are not told again. */
  readonly toldDevices?: ToldDevices;
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

export interface SyncServerEvents {
  activity: [ActivityEvent];
  /** A sync started, moved on, or ended (`finished`); at most a few a second per sync. */
  progress: [SyncProgress];
  /** An account's device used this client (at most once a minute per account and client). */
  client: [ClientSeen];
  /** The storage disk became nearly full, refused a write, or has room again. */
  space: [SpaceView];
  /** A device was told something inside Anki (meta's msg). */
  told: [NoticeTold];
  /** An account's snapshots changed: one kept, taken, compressed or pruned, often after its sync was answered. */
  snapshots: [username: string];
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
  /** The accounts, their logins and their Users. */
  private readonly users: Users;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly limits: MethodLimits;
  private readonly serverLimits: ServerLimits;
  /** What the server says about its requests: log lines, activity, live progress, clients. */
  private readonly report: RequestReport;
  /** How full SYNC_BASE's disk is; read at each write and once a minute. */
  private readonly space: StorageSpace;
  private readonly served: ServedCertificate;
  private readonly notices: LearnerNotices;
  private readonly updateAnnouncement = new UpdateAnnouncement();
  /** Every account's snapshots: taken after writes, kept, pruned, restored. */
  private readonly snapshotKeeper: SnapshotKeeper;
  private spaceTimer: NodeJS.Timeout | null = null;
  private http: Server | HttpsServer | null = null;
  private state: SyncServerState = 'stopped';
  private address: { host: string; port: number } | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly options: SyncServerOptions = {},
  ) {
    super();
    const logger = (this.logger = options.logger ?? consoleLogger);
    const record = (event: ActivityEvent): boolean => this.emit('activity', event);
    this.report = new RequestReport(logger, {
      activity: record,
      progress: (progress) => this.emit('progress', progress),
      client: (seen) => this.emit('client', seen),
    });
    this.space = new StorageSpace(config.baseFolder, {
      ...(config.lowSpaceMegs === undefined ? {} : { lowSpaceMegs: config.lowSpaceMegs }),
      logger,
      onChange: (view) => this.emit('space', view),
    });
    this.notices = new LearnerNotices(
      [
        (account) => this.space.notice(account.bytes),
        this.updateAnnouncement.source,
        restoredNotice,
        certificateNotice(() => this.served.current),
      ],
      Date.now,
      (told) => this.emit('told', told),
      options.toldDevices,
    );
    this.serverLimits = { ...DEFAULT_LIMITS, ...config.limits };
    this.limits = { ...payloadLimits(config.maxPayloadMegs), maxJsonBytes: this.serverLimits.maxJsonMegs * MIB };
    this.snapshotKeeper = new SnapshotKeeper({
      minutes: config.snapshotMinutes,
      snapshotDir: config.snapshotDir,
      logger,
      record,
      space: this.space,
      changed: (username) => this.emit('snapshots', username),
    });
    this.users = new Users(config.users, {
      snapshots: this.snapshotKeeper,
      baseFolder: config.baseFolder,
      limits: this.limits,
      notices: this.notices,
      idleCloseMs: this.serverLimits.idleCloseSecs * 1000,
      loginThrottle: options.loginThrottle,
      preAuthSpoolBytes: PRE_AUTH_SPOOL_PAYLOADS * this.limits.maxBytes,
      logger,
      record,
    });
    this.served = new ServedCertificate(config.tls, { logger, record, watch: options.certificateWatch });
  }

  get status(): SyncServerStatus {
    return {
      state: this.state,
      address: this.address,
      users: this.users.directory.accounts.map((account) => account.name),
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
    return this.served.status();
  }

  /** Which devices were told what inside Anki (meta's msg), newest first, for the window. */
  noticesTold(limit?: number): NoticeTold[] {
    return this.notices.recent(limit);
  }

  /**
   * Says to each device that syncs from now on, once per version, that the
   * server will restart to install the update `version`; the app calls it when
   * an update is downloaded, and again at each start while one waits. Until it
   * stops.
   */
  announceUpdate(version: string): void {
    this.updateAnnouncement.ready(version);
  }

  /**
   * Says to each device that syncs from now on (and was not told of this
   * version yet), once, that the server is stopping for an update; the app
   * calls it before it drains for an install.
   */
  announceStopForUpdate(version?: string): void {
    this.updateAnnouncement.stopping(version);
  }

  /** Accounts with a sync in progress (a request, or a sync between its requests). */
  syncing(): string[] {
    return this.report.progress.syncing();
  }

  /** Where each sync in progress stands. */
  syncsInProgress(): SyncProgress[] {
    return this.report.progress.current();
  }

  /** Prepares every user's folder, then listens. Resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'stopped') throw new ServerStartError(`the server is ${this.state}`);
    this.state = 'starting';
    this.snapshotKeeper.resume();
    try {
      await this.users.prepareFolders().catch((error: unknown) => {
        throw error instanceof FolderError ? new ServerStartError(error.message, { cause: error.cause }) : error;
      });
      const pipeline = new RequestPipeline({
        limits: this.limits,
        ipSource: this.config.ipHeader ?? 'ConnectInfo',
        slots: new UserSlots(this.serverLimits.maxRequestsPerUser),
        perAddress: this.config.ipHeader === undefined ? null : new RequestsPerAddress(this.serverLimits.maxConnectionsPerIp),
        users: this.users,
        report: this.report,
        progress: this.report.progress,
        room: new DiskRoom(this.space, this.config.baseFolder, this.logger),
        onHandlerTimed: this.options.onHandlerTimed,
        rootProfile: () => servedRootProfile(this.config.homeAuthorityFolder ?? homeAuthorityOf(this.config.tls)),
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
      const http = this.served.createServer(httpOptions, (req, res) => {
        const handled = pipeline
          .handle(req, res)
          // handle() answers every error itself; anything escaping it is logged, never fatal to the server.
          .catch((error: unknown) => this.logger.error('request handling failed', { error: String(error) }))
          .finally(() => this.inFlight.delete(handled));
        this.inFlight.add(handled);
      });
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
      this.served.stop();
      // Release what prepareFolders opened (media.db is held exclusively), so a retry can start.
      await this.users.retireAll();
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
    // Snapshots still being written finish first (their image holds the collection's file open).
    await this.snapshotKeeper.stop();
    await this.users.retireAll();
    this.served.stop();
    if (this.spaceTimer !== null) clearInterval(this.spaceTimer);
    this.spaceTimer = null;
    this.report.flush();
    this.updateAnnouncement.clear();
    this.http = null;
    this.address = null;
    this.state = 'stopped';
    this.logger.info('stopped');
  }

  /**
   * Replaces the accounts; takes effect for the next request. Removed users'
   * open syncs are rolled back and their files closed; their data stays on disk.
   */
  setUsers(users: readonly UserAccount[]): Promise<void> {
    return this.users.setUsers(users);
  }

  /**
   * Renames an account. Under its lock, with its files closed, `moveFolder`
   * moves its folder; then the accounts become `users`, before any other
   * request of the old name can run. Such a request, waiting or still
   * arriving, is refused as an outdated host key, and nothing is created under
   * the old name again. If `moveFolder` throws, nothing changes.
   */
  renameUser(from: string, users: readonly UserAccount[], moveFolder: () => Promise<void>): Promise<void> {
    return this.users.renameUser(from, users, moveFolder);
  }

  /**
   * Runs `work` while no request of `username` runs and none of its files is
   * open: under the user's lock, its open sync rolled back and its collection and
   * media closed (they reopen on the next request, which waits for `work`). A
   * backup restore swaps the collection file this way, the account staying on
   * the server.
   */
  withUserFilesClosed<T>(username: string, work: () => Promise<T>): Promise<T> {
    return this.users.withUserFilesClosed(username, work);
  }

  /** The account's snapshots, taken and restored through the running server, under the account's lock. */
  snapshots(username: string): AccountSnapshots {
    return this.users.snapshots(username);
  }

  /** Resolves once every snapshot started in the background (after a sync, a compression) has ended. */
  snapshotsSettled(): Promise<void> {
    return this.snapshotKeeper.settled();
  }
}
