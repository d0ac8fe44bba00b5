// One request, start to finish. Each method's descriptor (method-table.ts)
// says whether it needs a host key, how its body is received and how large it
// may be; the envelope (envelope/codec.ts) reads the head and the body and
// writes the reply; the pipeline keeps the order, chosen so that nothing is
// decoded or kept for someone we do not serve:
//   route → client address → envelope head (the host key checked as it is
//   read: unknown, 403 and the body dropped undecoded) → a slot of the
//   account's (user-slots.ts) → body decoded, with the method's cap → the
//   user's lock → handler → (lock released) reply in the request's envelope.
// The reference decodes every body before it looks at the key
// (rslib/src/sync/request/mod.rs); we look first, so a stranger's zstd bomb
// costs nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { AuthFailedError, InsufficientStorageError, NotFoundError, ServerFaultError, toSyncError, writeError } from '../errors.js';
import type { DecodedRequest, RequestBody, SyncReply, SyncRequest } from '../protocol.js';
import { clientNamedBy, envelopeOf, type BodyTarget, type Envelope, type HeadContext } from '../envelope/codec.js';
import type { UserAccount, Users } from '../users.js';
import type { Slot, UserSlots } from './user-slots.js';
import { ROOT_PROFILE_FILE } from '../reach/apple-profile.js';
import { LOGIN_BYTES, ROOT_PROFILE_PATH, routeRequest, type MethodDescriptor, type MethodLimits, type Route } from '../method-table.js';
import { clientIp, type ClientIpSource } from './client-ip.js';
import type { ProgressRequest, RequestReport, SyncProgressTracker } from '../report/request-report.js';
import type { DiskRoom } from '../storage/make-room.js';
import { closeAfterReplyIfUnread, DISCARD_GRACE, finishRequestBody, type DrainBudget } from './drain.js';
import { BodyBufferPool } from '../envelope/body-buffers.js';

/** A JSON body larger than this waits for its turn in a file, not in memory. */
const JSON_SPILL_BYTES = 8 * 1024 * 1024;
/** A media upload past this many decoded bytes is spooled to a file. */
const MEDIA_SPILL_BYTES = 4 * 1024 * 1024;
/** Room in a lent media buffer for the decoder block that takes a body past MEDIA_SPILL_BYTES. */
const MEDIA_BUFFER_BYTES = MEDIA_SPILL_BYTES + 256 * 1024;
/** Media buffers kept between requests: one per request a quiet server usually has in progress, and one spare. */
const IDLE_MEDIA_BUFFERS = 2;

export interface PipelineDeps {
  readonly limits: MethodLimits;
  readonly ipSource: ClientIpSource;
  readonly slots: UserSlots;
  /** Behind a proxy: requests in progress per forwarded address (sockets are capped per address otherwise). */
  readonly perAddress: { enter(address: string): () => void } | null;
  /** The accounts, their logins and their Users. */
  readonly users: Users;
  readonly report: RequestReport;
  readonly progress: SyncProgressTracker;
  /** Room on the storage disk before a write; a write that went through ends a "disk full" episode. */
  readonly room: DiskRoom;
  /** The home root as an iOS profile, or null when there is no home authority (reach/apple-profile.ts). */
  readonly rootProfile: () => Promise<string | null>;
  readonly onHandlerTimed?: ((method: MethodDescriptor, ms: number) => void) | undefined;
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

export class RequestPipeline {
  /** Media batches are gathered in these (envelope/body-buffers.ts); each goes back once its handler is done. */
  readonly mediaBuffers = new BodyBufferPool(MEDIA_BUFFER_BYTES, IDLE_MEDIA_BUFFERS);

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
      if (error instanceof InsufficientStorageError) this.deps.room.refused();
      if (error instanceof AuthFailedError) outcome.drain = DISCARD_GRACE;
      // A refused route is reported with the address too; an address that cannot be read is what failed.
      if (outcome.clientIp === '' && !(error instanceof ServerFaultError)) outcome.clientIp = clientIpOrEmpty(req, this.deps.ipSource);
      const client = outcome.decoded?.clientVersion || clientNamedBy(req);
      this.deps.report.failed(error, { route, username: outcome.username, clientIp: outcome.clientIp, client });
      closeAfterReplyIfUnread(req, res);
      writeError(res, error);
    } finally {
      outcome.progress?.end(outcome.status < 400);
      outcome.slot?.release();
      outcome.leaveAddress?.();
      this.giveBackBody(outcome);
      await Promise.all(outcome.files.map((path) => rm(path, { force: true }).catch(() => undefined)));
      finishRequestBody(req, outcome.drain);
      this.deps.report.finished({
        uri: (req.url ?? '').split('?')[0]!,
        clientIp: outcome.clientIp,
        username: outcome.username,
        client: outcome.decoded?.clientVersion,
        session: outcome.decoded?.sessionKey,
        elapsedMs: Date.now() - started,
        status: outcome.status,
      });
    }
  }

  /**
   * The home root for iPhones: public (a root certificate is meant to be
   * handed out), so no account and no body; it carries the certificate only,
   * made afresh from ca.pem, never a key (reach/apple-profile.ts).
   */
  private async serveRootProfile(head: boolean, res: ServerResponse): Promise<void> {
    const profile = await this.deps.rootProfile();
    if (profile === null) throw new NotFoundError(ROOT_PROFILE_PATH);
    const body = Buffer.from(profile, 'utf8');
    res.writeHead(200, {
      'content-type': 'application/x-apple-aspen-config',
      'content-length': String(body.length),
      'content-disposition': `attachment; filename="${ROOT_PROFILE_FILE}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(head ? undefined : body);
  }

  private async serve(route: Route, req: IncomingMessage, res: ServerResponse, outcome: Outcome): Promise<void> {
    if (route.kind === 'health') {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    if (route.kind === 'root-profile') return this.serveRootProfile(route.head, res);
    const { descriptor } = route;
    const query = route.kind === 'msync-begin-get' ? route.query : null;
    // Old desktop media begin (a GET with a query): as in the reference, no client address lookup.
    if (query === null) {
      outcome.clientIp = clientIp(req, this.deps.ipSource);
      outcome.leaveAddress = this.deps.perAddress?.enter(outcome.clientIp);
    }
    const envelope = envelopeOf(req, query);
    let account: UserAccount | undefined;
    const context: HeadContext = {
      limits: this.deps.limits,
      maxDecodedBytes: descriptor.maxDecodedBytes(this.deps.limits),
      mediaBegin: descriptor.area === 'msync' && descriptor.name === 'begin',
      checkKey: (hostKey) => {
        if (descriptor.auth !== 'host-key') return;
        account = undefined;
        account = this.accountFor(hostKey, outcome);
      },
      // Data is only spooled under a key that passed checkKey, or under none yet (then into the server's folder).
      spill: () => {
        const spill = account === undefined ? this.deps.users.preAuthSpill() : { path: this.deps.users.spoolPath(account) };
        outcome.files.push(spill.path);
        return spill;
      },
    };
    const head = await envelope.readHead(req, context);
    // A key in a header or a query is checked now; a legacy form's, as each was read.
    if (head.hostKey !== undefined) context.checkKey(head.hostKey);
    const decode = (target: BodyTarget): Promise<DecodedRequest> =>
      this.decodeBody(envelope.decodeBody(req, head, target, context), descriptor, outcome);

    if (descriptor.auth === 'none') {
      const decoded = await decode({ kind: 'memory', maxBytes: LOGIN_BYTES });
      if (decoded.body.kind !== 'buffer') throw new Error('a login body is always held in memory');
      const { reply, account: loggedIn } = await this.deps.users.login(decoded.body.data, outcome.clientIp);
      outcome.username = loggedIn.name;
      this.deps.report.loggedIn(loggedIn.name, outcome.clientIp, decoded.clientVersion);
      await envelope.writeReply(res, reply, decoded.transportVersion);
      return;
    }

    const known: UserAccount | undefined = account;
    if (known === undefined) throw new AuthFailedError('invalid hkey');
    outcome.progress = this.deps.progress.request(known.name, outcome.clientIp, descriptor.area, descriptor.name, req);
    outcome.slot = await this.deps.slots.take(known.name);
    // Before a byte of a spooled body is received: a full upload that cannot fit is refused at once.
    if (descriptor.auth === 'host-key' && descriptor.writes !== 'none') await this.deps.room.make(spooledBytes(req, descriptor));
    const target = this.bodyTarget(descriptor, known);
    // A body still on the socket comes off it now (a large JSON one into a file while it waits);
    // a legacy one is already on disk, and is gunzipped once it is the user's turn.
    const early = head.bodyOnSocket ? await decode(target) : undefined;
    await this.run(descriptor, known, async () => early ?? decode(target), envelope, req, res, outcome);
    // What the write took (a full upload leaves the replaced collection as a snapshot) must not keep the disk
    // below its threshold: old backups give way now, after the answer.
    if (descriptor.auth === 'host-key' && descriptor.writes === 'commits') {
      this.deps.room.wroteFine();
      // A write that changed the account may be followed by a snapshot of it, in the background.
      this.deps.users.committed(known);
      void this.deps.room.make(0).catch(() => undefined);
    }
  }

  private accountFor(hostKey: string, outcome: Outcome): UserAccount {
    const account = this.deps.users.directory.findByHostKey(hostKey);
    if (account === undefined) throw new AuthFailedError('invalid hkey');
    outcome.username = account.name;
    return account;
  }

  private bodyTarget(descriptor: MethodDescriptor, account: UserAccount): BodyTarget {
    const path = (): string => this.deps.users.spoolPath(account);
    const inMemoryUpTo = (atBytes: number, buffers?: BodyBufferPool): BodyTarget => ({
      kind: 'memory',
      maxBytes: descriptor.maxDecodedBytes(this.deps.limits),
      spill: { atBytes, path },
      ...(buffers === undefined ? {} : { buffers }),
    });
    // A media batch (2.5 MiB from the reference client) is read from memory: spooling it cost a write and
    // a read of every byte. A larger one goes on to a file (media/upload/read-upload-zip.ts reads both).
    if (descriptor.body === 'spooled' && descriptor.area === 'msync') return inMemoryUpTo(MEDIA_SPILL_BYTES, this.mediaBuffers);
    if (descriptor.body === 'spooled') return { kind: 'file', path: path() };
    return inMemoryUpTo(JSON_SPILL_BYTES);
  }

  /** A body held in a lent buffer goes back to its pool; once only, and only after everything that reads it is done. */
  private giveBackBody(outcome: Outcome): void {
    const body = outcome.decoded?.body;
    if (body?.kind === 'buffer') this.mediaBuffers.giveBack(body.data);
  }

  /** The decoded request, its file to be removed at the end, its client reported. */
  private async decodeBody(decoding: Promise<DecodedRequest>, descriptor: MethodDescriptor, outcome: Outcome): Promise<DecodedRequest> {
    const decoded = await decoding;
    outcome.decoded = decoded;
    if (decoded.body.kind === 'file') outcome.files.push(decoded.body.path);
    // A begin by query looks up no address (see serve), and reports no client.
    if (outcome.username !== '' && outcome.clientIp !== '' && descriptor.auth === 'host-key')
      this.deps.report.clientSeen(outcome.username, outcome.clientIp, decoded.clientVersion);
    return decoded;
  }

  /** Under the user's lock: a spilled JSON body back into memory, the handler, the reply. */
  private async run(
    descriptor: MethodDescriptor,
    account: UserAccount,
    decode: () => Promise<DecodedRequest>,
    envelope: Envelope,
    req: IncomingMessage,
    res: ServerResponse,
    outcome: Outcome,
  ): Promise<void> {
    if (descriptor.auth !== 'host-key') throw new Error(`${descriptor.name} is not a host-key method`);
    const user = this.deps.users.userFor(account);
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
        reportClient: (client) => this.deps.report.clientSeen(account.name, outcome.clientIp, client),
      };
      const started = performance.now();
      let answer: SyncReply;
      try {
        answer = disposeOnce(await descriptor.handle(user, request));
      } finally {
        // No reply refers to the request's bytes, so a lent buffer can serve the next request now.
        this.giveBackBody(outcome);
      }
      this.deps.onHandlerTimed?.(descriptor, performance.now() - started);
      return { reply: answer, transportVersion: decoded.transportVersion };
    });
    closeAfterReplyIfUnread(req, res);
    if (reply.kind === 'file') outcome.progress?.sending(reply.size);
    try {
      await envelope.writeReply(res, reply, transportVersion, (bytes) => outcome.progress?.sent(bytes));
    } finally {
      if (reply.kind === 'file') await reply.dispose();
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
