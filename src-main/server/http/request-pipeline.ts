// One request, start to finish: route, client address, envelope decoding,
// login or host-key check, then the method under the user's lock, and the
// reply in the request's envelope. The order decides which error wins, as in
// the official server: path, address, header and body before authentication.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';
import { AuthFailedError, BadRequestError, toSyncError, type SyncError } from '../errors.js';
import type { ActivityEvent, DecodedRequest, MethodTable, PayloadLimits, SyncReply, SyncRequest, UserContext } from '../protocol.js';
import type { UserAccount } from '../config.js';
import type { UserDirectory } from '../auth/user-directory.js';
import { hostKeyMethod, LoginFailedError } from '../auth/host-key-method.js';
import { decodeRequest, writeReply } from '../envelope/codec.js';
import { decodeLegacyBeginQuery } from '../envelope/legacy-begin-query.js';
import type { BodyTarget } from '../envelope/body-sink.js';
import type { Logger } from '../log.js';
import type { UserLocks } from '../user-locks.js';
import { routeRequest, type KnownMethods, type Route } from './routes.js';
import { clientIp, type ClientIpSource } from './client-ip.js';
import { writeError } from './error-response.js';
import { closeAfterReplyIfUnread, finishRequestBody } from './drain.js';

/** A login payload is {"u","p"}; anything bigger than this is not one. */
const MAX_LOGIN_BYTES = 64 * 1024;

/** Methods whose payload is spooled to a file in the user's folder instead of memory. */
export const SPOOLED_METHODS: ReadonlySet<string> = new Set(['sync/upload', 'msync/uploadChanges']);

export interface PipelineDeps {
  readonly tables: { readonly sync: MethodTable; readonly msync: MethodTable };
  readonly limits: PayloadLimits;
  readonly ipSource: ClientIpSource;
  readonly locks: UserLocks;
  readonly logger: Logger;
  users(): UserDirectory;
  /** The user's context; exists for every configured account. */
  contextFor(account: UserAccount): UserContext;
  /** A fresh path for a spooled upload inside the user's folder. */
  spoolPath(account: UserAccount): string;
  record(event: ActivityEvent): void;
}

interface Outcome {
  status: number;
  username: string;
  clientIp: string;
  decoded?: DecodedRequest;
}

export class RequestPipeline {
  private readonly known: KnownMethods;

  constructor(private readonly deps: PipelineDeps) {
    this.known = {
      sync: new Set(['hostKey', ...Object.keys(deps.tables.sync)]),
      msync: new Set(Object.keys(deps.tables.msync)),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const outcome: Outcome = { status: 200, username: '', clientIp: '' };
    let route: Route | undefined;
    try {
      route = routeRequest(req.method, req.url, this.known);
      await this.serve(route, req, res, outcome);
    } catch (thrown) {
      const error = toSyncError(thrown);
      outcome.status = error.status;
      this.reportError(error, route, outcome);
      closeAfterReplyIfUnread(req, res);
      writeError(res, error);
    } finally {
      const body = outcome.decoded?.body;
      if (body?.kind === 'file') await rm(body.path, { force: true }).catch(() => undefined);
      finishRequestBody(req);
      this.deps.logger[outcome.status >= 500 && outcome.status !== 501 ? 'error' : 'info']('finished', {
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
    let area: 'sync' | 'msync';
    let method: string;
    if (route.kind === 'msync-begin-get') {
      // Old desktop media begin; it has no body and, as in the reference, no client address lookup.
      area = 'msync';
      method = 'begin';
      if (!this.known.msync.has(method)) throw new BadRequestError('unknown msync method: begin');
      outcome.decoded = decodeLegacyBeginQuery(route.query);
    } else {
      area = route.kind;
      method = route.method;
      outcome.clientIp = clientIp(req, this.deps.ipSource);
      outcome.decoded = await decodeRequest(req, {
        limits: this.deps.limits,
        bodyTarget: (hostKey) => this.bodyTarget(`${area}/${method}`, hostKey),
      });
    }
    const decoded = outcome.decoded;

    if (area === 'sync' && method === 'hostKey') {
      if (decoded.body.kind !== 'buffer') throw new BadRequestError('invalid json');
      const { reply, account } = await hostKeyMethod(this.deps.users(), decoded.body.data);
      outcome.username = account.name;
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

    const account = this.deps.users().findByHostKey(decoded.hostKey);
    if (account === undefined) throw new AuthFailedError('invalid hkey');
    outcome.username = account.name;
    const handler = this.deps.tables[area][method]!;
    const user = this.deps.contextFor(account);
    const request: SyncRequest = {
      method,
      hostKey: decoded.hostKey,
      transportVersion: decoded.transportVersion,
      sessionKey: decoded.sessionKey,
      clientVersion: decoded.clientVersion,
      clientIp: outcome.clientIp,
      body: decoded.body,
    };
    await this.deps.locks.run(account.name, async () => {
      const reply = disposeOnce(await handler(user, request));
      closeAfterReplyIfUnread(req, res);
      try {
        await writeReply(res, reply, decoded.transportVersion);
      } finally {
        if (reply.kind === 'file') await reply.dispose();
      }
    });
  }

  /**
   * Where a payload goes. Nothing from a stranger is kept: with an unknown key
   * the body is decoded (decoding errors win over a bad key, as officially) and
   * dropped, so unauthenticated requests cannot fill memory or disk.
   */
  private bodyTarget(method: string, hostKey: string): BodyTarget {
    if (method === 'sync/hostKey') return { kind: 'memory', maxBytes: MAX_LOGIN_BYTES };
    const account = this.deps.users().findByHostKey(hostKey);
    if (account === undefined) return { kind: 'discard' };
    return SPOOLED_METHODS.has(method) ? { kind: 'file', path: this.deps.spoolPath(account) } : { kind: 'memory' };
  }

  private reportError(error: SyncError, route: Route | undefined, outcome: Outcome): void {
    const at = Date.now();
    if (error instanceof LoginFailedError) {
      this.deps.record({ kind: 'login-failed', username: error.username, clientIp: outcome.clientIp, at });
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
      this.deps.logger.error('request failed', {
        context: error.context,
        cause: error.cause instanceof Error ? error.cause.message : undefined,
      });
    } else {
      this.deps.logger.info('request refused', { httpstatus: error.status, context: error.context });
    }
  }
}

/** A file reply's dispose runs once, whichever of the encoder and the pipeline gets there first. */
function disposeOnce(reply: SyncReply): SyncReply {
  if (reply.kind !== 'file') return reply;
  let disposed: Promise<void> | null = null;
  return { ...reply, dispose: () => (disposed ??= reply.dispose()) };
}
