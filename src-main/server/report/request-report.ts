// What the server says about its requests, in the log and to the app: the
// pipeline hands over plain facts (the route, the account, the address, the
// error, the status) and the sentences are written here. Floods are coalesced
// by the one throttle (throttle.ts): refused requests in the log
// (log-flood.ts), failed logins in the activity list (activity-flood.ts),
// drift sentences (once each a minute) and clients (client-versions.ts).
import { AuthFailedError, ProtocolDriftError, type SyncError } from '../errors.js';
import { LoginFailedError } from '../auth/host-key-method.js';
import { LOGIN_THROTTLED, type ActivityEvent } from '../protocol.js';
import type { Route } from '../method-table.js';
import type { Logger } from './log.js';
import { LogFloodGate } from './log-flood.js';
import { ActivityFloodGate } from './activity-flood.js';
import { ClientVersions, type ClientSeen } from './client-versions.js';
import { driftSentence } from './protocol-drift.js';
import { SyncProgressTracker, type SyncProgress } from './sync-progress.js';
import { OncePerKey } from './throttle.js';

export type { ProgressRequest, SyncProgress, SyncProgressTracker } from './sync-progress.js';
export type { ClientSeen } from './client-versions.js';

/** A drift sentence is logged once, and listed again at most once a minute: a device retries every sync. */
const DRIFT_REPORT_EVERY_MS = 60_000;
const DRIFT_SENTENCES_REMEMBERED = 100;

export interface ReportListeners {
  activity(event: ActivityEvent): void;
  progress(progress: SyncProgress): void;
  client(seen: ClientSeen): void;
}

/** The facts of one request as the pipeline knows them when it ends or fails. */
export interface RequestFacts {
  readonly route: Route | undefined;
  /** The account, once its key or login named it; '' before. */
  readonly username: string;
  readonly clientIp: string;
  /** The client version the request names (decoded, or read leniently from a refused header). */
  readonly client: string;
}

export interface FinishedFacts {
  readonly username: string;
  readonly clientIp: string;
  /** The client version of the decoded request; undefined when it was not decoded. */
  readonly client: string | undefined;
  readonly uri: string;
  readonly session: string | undefined;
  readonly status: number;
  readonly elapsedMs: number;
}

export class RequestReport {
  /** The lines of refused and failed requests: a flood of them writes a few lines, not one per request. */
  private readonly refusalLog: LogFloodGate;
  private readonly activityGate: ActivityFloodGate;
  private readonly clients: ClientVersions;
  private readonly drift = new OncePerKey(DRIFT_REPORT_EVERY_MS, DRIFT_SENTENCES_REMEMBERED);
  /** The live progress of syncs; the pipeline follows each request in it. */
  readonly progress: SyncProgressTracker;

  constructor(
    private readonly logger: Logger,
    listeners: ReportListeners,
  ) {
    this.refusalLog = new LogFloodGate(logger);
    this.activityGate = new ActivityFloodGate((event) => listeners.activity(event));
    this.progress = new SyncProgressTracker({ emit: (progress) => listeners.progress(progress) });
    this.clients = new ClientVersions(
      (seen) => listeners.client(seen),
      (seen) => logger.info('client', { uid: seen.username, ip: seen.clientIp, client: seen.client, raw: seen.raw }),
    );
  }

  /** A request of `username`'s said which client it comes from. */
  clientSeen(username: string, clientIp: string, client: string): void {
    this.clients.seen(username, clientIp, client);
  }

  loggedIn(username: string, clientIp: string, client: string): void {
    this.clientSeen(username, clientIp, client);
    this.activityGate.record({ kind: 'login', username, clientIp, at: Date.now(), detail: client || undefined });
  }

  /** A request failed or was refused with `error`. */
  failed(error: SyncError, facts: RequestFacts): void {
    if (error instanceof ProtocolDriftError) return this.drifted(error, facts);
    const at = Date.now();
    const { route, clientIp } = facts;
    const loginFailed = (username: string, detail?: string): void =>
      this.activityGate.record({ kind: 'login-failed', username, clientIp, at, ...(detail === undefined ? {} : { detail }) });
    if (error instanceof LoginFailedError) {
      loginFailed(error.username);
    } else if (route?.kind === 'sync' && route.method === 'hostKey' && (error.status === 429 || error.status === 503)) {
      loginFailed('', LOGIN_THROTTLED);
    } else if (error instanceof AuthFailedError) {
      loginFailed('', 'unknown or outdated host key');
    } else if (
      route !== undefined &&
      route.kind !== 'health' &&
      route.kind !== 'root-profile' &&
      error.status !== 404 &&
      error.status !== 405
    ) {
      const what = route.kind === 'msync-begin-get' ? 'msync/begin' : `${route.kind}/${route.method}`;
      this.activityGate.record({
        kind: 'error',
        username: facts.username,
        clientIp,
        at,
        detail: `${what}: ${error.status} ${error.context}`,
      });
    }
    if (error.status >= 500 && error.status !== 501) {
      this.refusalLog.error('request failed', {
        context: error.context,
        cause: error.cause instanceof Error ? error.cause.message : undefined,
      });
    } else {
      this.refusalLog.info('request refused', { httpstatus: error.status, context: error.context });
    }
  }

  /** The request's line in the log: refused and failed ones through the flood gate. */
  finished(facts: FinishedFacts): void {
    const log = facts.status >= 400 ? this.refusalLog : this.logger;
    log[facts.status >= 500 && facts.status !== 501 ? 'error' : 'info']('finished', {
      uri: facts.uri,
      ip: facts.clientIp,
      uid: facts.username,
      client: facts.client,
      session: facts.session,
      elap_ms: facts.elapsedMs,
      httpstatus: facts.status,
    });
  }

  /** Reports what is held now, and forgets the syncs in progress (at stop). */
  flush(): void {
    this.progress.clear();
    this.activityGate.flush();
    this.refusalLog.flush();
  }

  private drifted(error: ProtocolDriftError, facts: RequestFacts): void {
    const client = error.client || facts.client;
    const sentence = driftSentence(error.drift, client, facts.clientIp);
    const at = Date.now();
    const pass = this.drift.pass(sentence, at);
    if (pass === null) return;
    if (pass === 'first') this.logger.warn(sentence, { httpstatus: error.status, context: error.context });
    this.activityGate.record({ kind: 'protocol-drift', username: facts.username, clientIp: facts.clientIp, at, client, detail: sentence });
  }
}
