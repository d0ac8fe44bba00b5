// One request, start to finish. Each method's descriptor (method-table.ts)
// says whether it needs a host key, how its body is received and how large it
// may be; the pipeline does the rest, in an order chosen so that nothing is
// decoded or kept for someone we do not serve:
//   route → client address → envelope head (v11 header, or the legacy form)
//   → host key looked up once (unknown: 403, the body dropped undecoded)
//   → a slot of the account's (user-slots.ts) → body decoded, with the
//   method's cap → the user's lock → handler → (lock released) reply in the
//   request's envelope.
// The reference decodes every body before it looks at the key
// (rslib/src/sync/request/mod.rs); we look first, so a stranger's zstd bomb
// costs nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import {
  AuthFailedError,
  InsufficientStorageError,
  ProtocolDriftError,
  ServerFaultError,
  toSyncError,
  writeError,
  type SyncError,
} from '../errors.js';
import {
  LOGIN_THROTTLED,
  type ActivityEvent,
  type DecodedRequest,
  type RequestBody,
  type SyncReply,
  type SyncRequest,
} from '../protocol.js';
import type { UserAccount } from '../config/config.js';
import type { UserDirectory } from '../auth/user-directory.js';
import { LoginFailedError, type LoginOutcome } from '../auth/host-key-method.js';
import { syncHeaderOf, writeReply } from '../envelope/codec.js';
import { decodeV11Request } from '../envelope/v11.js';
import { decodeLegacyPayload, readLegacyForm, type LegacyForm, type LegacySpill } from '../envelope/legacy-multipart.js';
import { decodeLegacyBeginQuery } from '../envelope/legacy-begin-query.js';
import type { BodyTarget } from '../envelope/body-sink.js';
import type { SyncHeader } from '../envelope/v11.js';
import type { Logger } from '../report/log.js';
import type { User } from '../user.js';
import type { Slot, UserSlots } from './user-slots.js';
import { findMethod, LOGIN_BYTES, routeRequest, type MethodDescriptor, type MethodLimits, type Route } from '../method-table.js';
import { clientIp, type ClientIpSource } from './client-ip.js';
import type { RequestsPerAddress } from './connection-limits.js';
import type { ProgressRequest, SyncProgressTracker } from '../report/sync-progress.js';
import { clientInHeader, driftSentence } from '../report/protocol-drift.js';
import { SYNC_HEADER } from '../envelope/v11.js';
import { closeAfterReplyIfUnread, DISCARD_GRACE, finishRequestBody, type DrainBudget } from './drain.js';

const DRIFT_REPORT_EVERY_MS = 60_000;
/** A JSON body larger than this waits for its turn in a file, not in memory. */
const JSON_SPILL_BYTES = 8 * 1024 * 1024;

export interface PipelineDeps {
  readonly limits: MethodLimits;
  readonly ipSource: ClientIpSource;
  readonly slots: UserSlots;
  /** Behind a proxy: requests in progress per forwarded address (sockets are capped per address otherwise). */
  readonly perAddress: RequestsPerAddress | null;
  readonly logger: Logger;
  /** For the lines of refused and failed requests: a flood of them must not write a line each (log-flood.ts). */
  readonly refusalLog: Logger;
  users(): UserDirectory;
  /** The account's state and lock; 403 once the account has left the server. */
  userFor(account: UserAccount): User;
  /** A fresh path for a spooled body inside the user's folder. */
  spoolPath(account: UserAccount): string;
  /** Where legacy data sent before its key is spooled: the server's own folder, under a quota. */
  preAuthSpill(): LegacySpill;
  /** Checks a `{"u","p"}` body (login throttling lives behind this). */
  login(body: Buffer, clientIp: string): Promise<LoginOutcome>;
  readonly onHandlerTimed?: ((method: MethodDescriptor, ms: number) => void) | undefined;
  record(event: ActivityEvent): void;
  readonly progress: SyncProgressTracker;
  /** A request of `username`'s said which client it comes from. */
  clientSeen(username: string, clientIp: string, client: string): void;
  /** Room on the storage disk for a write of `bytes` (0: not known yet); 507 when a known size cannot fit. */
  makeRoom(bytes: number): Promise<void>;
  /** A request was refused for lack of space (507). */
  outOfSpace(): void;
  /** A request that writes went through. */
  wroteFine(): void;
}

interface Outcome {
  status: number;
  username: string;
  clientIp: string;
  decoded?: DecodedRequest;
  /** Files this request made; removed when it ends. */
  files: string[];
  slot?: Slot;
  leaveAddress?: () => void;
  /** How much of an unread body is worth reading to let the client see the answer. */
  drain?: DrainBudget;
  progress?: ProgressRequest;
}

/** What the envelope's head says before the body is decoded. */
type Head =
  | { readonly kind: 'v11'; readonly header: SyncHeader }
  /** `account`: the one of the last `k`/`sk`, when that key is ours (looked up as the field was read). */
  | { readonly kind: 'legacy'; readonly form: LegacyForm; readonly account: UserAccount | undefined };

export class RequestPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const outcome: Outcome = { status: 200, username: '', clientIp: '', files: [] };
    let route: Route | undefined;
    try {
      route = routeRequest(req.method, req.url);
      await this.serve(route, req, res, outcome);
    } catch (thrown) {
      const error = toSyncError(thrown);
      outcome.status = error.status;
      if (error instanceof InsufficientStorageError) this.deps.outOfSpace();
      if (error instanceof AuthFailedError) outcome.drain = DISCARD_GRACE;
      // A refused route is reported with the address too; an address that cannot be read is what failed.
      if (outcome.clientIp === '' && !(error instanceof ServerFaultError)) outcome.clientIp = clientIpOrEmpty(req, this.deps.ipSource);
      if (error instanceof ProtocolDriftError) this.reportDrift(error, req, outcome);
      else this.reportError(error, route, outcome);
      closeAfterReplyIfUnread(req, res);
      writeError(res, error);
    } finally {
      outcome.progress?.end(outcome.status < 400);
      outcome.slot?.release();
      outcome.leaveAddress?.();
      await Promise.all(outcome.files.map((path) => rm(path, { force: true }).catch(() => undefined)));
      finishRequestBody(req, outcome.drain);
      const log = outcome.status >= 400 ? this.deps.refusalLog : this.deps.logger;
      log[outcome.status >= 500 && outcome.status !== 501 ? 'error' : 'info']('finished', {
        uri: (req.url ?? '').split('?')[0],
        ip: outcome.clientIp,
        uid: outcome.username,
        client: outcome.decoded?.clientVersion,
        session: outcome.decoded?.sessionKey,
        elap_ms: Date.now() - started,
        httpstatus: outcome.status,
      });
    }
  }

  private async serve(route: Route, req: IncomingMessage, res: ServerResponse, outcome: Outcome): Promise<void> {
    if (route.kind === 'health') {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    if (route.kind === 'msync-begin-get') {
      // Old desktop media begin: no body and, as in the reference, no client address lookup.
      const decoded = decodeLegacyBeginQuery(route.query);
      outcome.decoded = decoded;
      const account = this.accountFor(decoded.hostKey, outcome);
      outcome.progress = this.deps.progress.request(account.name, outcome.clientIp, 'msync', 'begin', req);
      outcome.slot = await this.deps.slots.take(account.name);
      await this.run(findMethod('msync', 'begin')!, account, async () => decoded, req, res, outcome);
      return;
    }

    const descriptor = findMethod(route.kind, route.method)!;
    outcome.clientIp = clientIp(req, this.deps.ipSource);
    outcome.leaveAddress = this.deps.perAddress?.enter(outcome.clientIp);
    const head = await this.readHead(req, descriptor, outcome);

    if (descriptor.auth === 'none') {
      const decoded = await this.decodeBody(req, head, descriptor, { kind: 'memory', maxBytes: LOGIN_BYTES }, outcome);
      if (decoded.body.kind !== 'buffer') throw new Error('a login body is always held in memory');
      const { reply, account } = await this.deps.login(decoded.body.data, outcome.clientIp);
      outcome.username = account.name;
      this.deps.clientSeen(account.name, outcome.clientIp, decoded.clientVersion);
      this.deps.record({
        kind: 'login',
        username: account.name,
        clientIp: outcome.clientIp,
        at: Date.now(),
        detail: decoded.clientVersion || undefined,
      });
      await writeReply(res, reply, decoded.transportVersion);
      return;
    }

    const account = head.kind === 'v11' ? this.accountFor(head.header.k, outcome) : head.account;
    if (account === undefined) throw new AuthFailedError('invalid hkey');
    outcome.progress = this.deps.progress.request(account.name, outcome.clientIp, descriptor.area, descriptor.name, req);
    outcome.slot = await this.deps.slots.take(account.name);
    // Before a byte of a spooled body is received: a full upload that cannot fit is refused at once.
    if (descriptor.auth === 'host-key' && descriptor.writes !== 'none') await this.deps.makeRoom(spooledBytes(req, descriptor));
    const target = this.bodyTarget(descriptor, account);
    // A v11 body comes off the socket now (a large JSON one into a file while it waits);
    // a legacy one is already on disk, and is gunzipped once it is the user's turn.
    const decoded = head.kind === 'v11' ? await this.decodeBody(req, head, descriptor, target, outcome) : undefined;
    await this.run(descriptor, account, async () => decoded ?? this.decodeBody(req, head, descriptor, target, outcome), req, res, outcome);
    // What the write took (a full upload leaves the replaced collection as a backup) must not keep the disk
    // below its threshold: old backups give way now, after the answer.
    if (descriptor.auth === 'host-key' && descriptor.writes === 'commits') {
      this.deps.wroteFine();
      void this.deps.makeRoom(0).catch(() => undefined);
    }
  }

  /** The v11 header, or the whole legacy form (whose raw data is at most 64 KiB in memory, the rest spooled). */
  private async readHead(req: IncomingMessage, descriptor: MethodDescriptor, outcome: Outcome): Promise<Head> {
    const header = syncHeaderOf(req);
    if (header !== null) return { kind: 'v11', header };
    let keyed: UserAccount | undefined;
    const form = await readLegacyForm(req, {
      limits: this.deps.limits,
      maxDecodedBytes: descriptor.maxDecodedBytes(this.deps.limits),
      checkKey: (hostKey) => {
        if (descriptor.auth !== 'host-key') return;
        keyed = undefined;
        keyed = this.accountFor(hostKey, outcome);
      },
      // Data is only spooled under a key that passed checkKey, or under none yet (then into the server's folder).
      spill: () => {
        const spill = keyed === undefined ? this.deps.preAuthSpill() : { path: this.deps.spoolPath(keyed) };
        outcome.files.push(spill.path);
        return spill;
      },
    });
    return { kind: 'legacy', form, account: keyed };
  }

  private accountFor(hostKey: string, outcome: Outcome): UserAccount {
    const account = this.deps.users().findByHostKey(hostKey);
    if (account === undefined) throw new AuthFailedError('invalid hkey');
    outcome.username = account.name;
    return account;
  }

  private bodyTarget(descriptor: MethodDescriptor, account: UserAccount): BodyTarget {
    const cap = descriptor.maxDecodedBytes(this.deps.limits);
    if (descriptor.body === 'spooled') return { kind: 'file', path: this.deps.spoolPath(account) };
    return { kind: 'memory', maxBytes: cap, spill: { atBytes: JSON_SPILL_BYTES, path: () => this.deps.spoolPath(account) } };
  }

  private async decodeBody(
    req: IncomingMessage,
    head: Head,
    descriptor: MethodDescriptor,
    target: BodyTarget,
    outcome: Outcome,
  ): Promise<DecodedRequest> {
    const decoded =
      head.kind === 'v11'
        ? await decodeV11Request(req, head.header, target, descriptor.maxDecodedBytes(this.deps.limits))
        : await decodeLegacyPayload(head.form, {
            limits: this.deps.limits,
            target,
            mediaBegin: descriptor.area === 'msync' && descriptor.name === 'begin',
          });
    outcome.decoded = decoded;
    if (decoded.body.kind === 'file') outcome.files.push(decoded.body.path);
    if (outcome.username !== '' && descriptor.auth === 'host-key')
      this.deps.clientSeen(outcome.username, outcome.clientIp, decoded.clientVersion);
    return decoded;
  }

  /** Under the user's lock: a spilled JSON body back into memory, the handler, the reply. */
  private async run(
    descriptor: MethodDescriptor,
    account: UserAccount,
    decode: () => Promise<DecodedRequest>,
    req: IncomingMessage,
    res: ServerResponse,
    outcome: Outcome,
  ): Promise<void> {
    if (descriptor.auth !== 'host-key') throw new Error(`${descriptor.name} is not a host-key method`);
    const user = this.deps.userFor(account);
    // The lock covers the handler, never the network: every reply is complete (a buffer, or a file
    // of its own) when the handler returns, so a slow client cannot hold the user's lock.
    const { reply, transportVersion } = await user.withLock(async () => {
      const decoded = await decode();
      const body = descriptor.body === 'json' ? await inMemory(decoded.body) : decoded.body;
      const request: SyncRequest = {
        ...decoded,
        body,
        method: descriptor.name,
        clientIp: outcome.clientIp,
        reportFiles: (count) => outcome.progress?.addFiles(count),
        reportClient: (client) => this.deps.clientSeen(account.name, outcome.clientIp, client),
      };
      const started = performance.now();
      const answer = disposeOnce(await descriptor.handle(user, request));
      this.deps.onHandlerTimed?.(descriptor, performance.now() - started);
      return { reply: answer, transportVersion: decoded.transportVersion };
    });
    closeAfterReplyIfUnread(req, res);
    if (reply.kind === 'file') outcome.progress?.sending(reply.size);
    try {
      await writeReply(res, reply, transportVersion, (bytes) => outcome.progress?.sent(bytes));
    } finally {
      if (reply.kind === 'file') await reply.dispose();
    }
  }

  /** When each drift sentence was last reported: a device retries every sync, and a flood must not fill the list. */
  private readonly driftReported = new Map<string, number>();

  private reportDrift(error: ProtocolDriftError, req: IncomingMessage, outcome: Outcome): void {
    const client = error.client || clientInHeader(req.headers[SYNC_HEADER]);
    const sentence = driftSentence(error.drift, client, outcome.clientIp);
    const now = Date.now();
    const last = this.driftReported.get(sentence);
    if (last !== undefined && now - last < DRIFT_REPORT_EVERY_MS) return;
    if (last === undefined) {
      // Logged once per sentence; listed again at most once a minute.
      if (this.driftReported.size >= 100) this.driftReported.delete(this.driftReported.keys().next().value!);
      this.deps.logger.warn(sentence, { httpstatus: error.status, context: error.context });
    }
    this.driftReported.set(sentence, now);
    this.deps.record({ kind: 'protocol-drift', username: outcome.username, clientIp: outcome.clientIp, at: now, client, detail: sentence });
  }

  private reportError(error: SyncError, route: Route | undefined, outcome: Outcome): void {
    const at = Date.now();
    if (error instanceof LoginFailedError) {
      this.deps.record({ kind: 'login-failed', username: error.username, clientIp: outcome.clientIp, at });
    } else if (route?.kind === 'sync' && route.method === 'hostKey' && (error.status === 429 || error.status === 503)) {
      this.deps.record({ kind: 'login-failed', username: '', clientIp: outcome.clientIp, at, detail: LOGIN_THROTTLED });
    } else if (error instanceof AuthFailedError) {
      this.deps.record({ kind: 'login-failed', username: '', clientIp: outcome.clientIp, at, detail: 'unknown or outdated host key' });
    } else if (route !== undefined && route.kind !== 'health' && error.status !== 404 && error.status !== 405) {
      const what = route.kind === 'msync-begin-get' ? 'msync/begin' : `${route.kind}/${route.method}`;
      this.deps.record({
        kind: 'error',
        username: outcome.username,
        clientIp: outcome.clientIp,
        at,
        detail: `${what}: ${error.status} ${error.context}`,
      });
    }
    if (error.status >= 500 && error.status !== 501) {
      this.deps.refusalLog.error('request failed', {
        context: error.context,
        cause: error.cause instanceof Error ? error.cause.message : undefined,
      });
    } else {
      this.deps.refusalLog.info('request refused', { httpstatus: error.status, context: error.context });
    }
  }
}

function clientIpOrEmpty(req: IncomingMessage, source: ClientIpSource): string {
  try {
    return clientIp(req, source);
  } catch {
    return '';
  }
}

/** A JSON body that waited its turn in a file is read back now that it is its turn. */
async function inMemory(body: RequestBody): Promise<RequestBody> {
  if (body.kind === 'buffer') return body;
  return { kind: 'buffer', data: await readFile(body.path) };
}

/** A file reply's dispose runs once, whichever of the encoder and the pipeline gets there first. */
function disposeOnce(reply: SyncReply): SyncReply {
  if (reply.kind !== 'file') return reply;
  let disposed: Promise<void> | null = null;
  return { ...reply, dispose: () => (disposed ??= reply.dispose()) };
}

/** The size a spooled body declares (Content-Length), or 0 when it is sent in chunks or is not spooled. */
function spooledBytes(req: IncomingMessage, descriptor: MethodDescriptor): number {
  if (descriptor.body !== 'spooled') return 0;
  const declared = Number(req.headers['content-length']);
  return Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
}
