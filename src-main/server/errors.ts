// Every error the server can answer with is one of these classes, and each class
// maps to exactly one HTTP status. Clients act on the status alone (400 = "check
// database", 403 = log out, 409 = another device is syncing, 501 = update Anki),
// so choosing the class is choosing what the learner is told.
import type { ServerResponse } from 'node:http';

export abstract class SyncError extends Error {
  abstract readonly status: number;
  /** Logged, never sent: the body of an error response is just the status code. */
  constructor(
    readonly context: string,
    options?: { cause?: unknown },
  ) {
    super(context, options);
    this.name = new.target.name;
  }
}

/** 400: malformed request, or a merge that failed. Clients suggest Check Database. */
export class BadRequestError extends SyncError {
  readonly status = 400;
}

/** What a client asked for that only a newer server knows: the protocol has moved on. */
export type ProtocolDrift = { readonly kind: 'version'; readonly version: number } | { readonly kind: 'method'; readonly path: string };

/**
 * 400, as the official server answers (rslib/src/sync/version.rs; an unknown
 * method fails axum's path parse, rslib/src/sync/http_server/routes.rs), for a
 * sync version above ours or a method name we do not know. Carries what was
 * asked, so the learner can be told to update this server.
 */
export class ProtocolDriftError extends BadRequestError {
  constructor(
    context: string,
    readonly drift: ProtocolDrift,
    /** The client's version string, when the request said it. */
    readonly client: string,
  ) {
    super(context);
  }
}

/** 403: unknown host key or wrong password. The desktop client forgets its login. */
export class AuthFailedError extends SyncError {
  readonly status = 403;
}

/** 404: not a route we serve. */
export class NotFoundError extends SyncError {
  readonly status = 404;
}

/** 405: a known path with the wrong HTTP method. */
export class MethodNotAllowedError extends SyncError {
  readonly status = 405;
}

/** 409: no active sync, another session's key, or a missing/deleted media file. */
export class ConflictError extends SyncError {
  readonly status = 409;
}

/** 429: too many attempts from one address or for one account (logins). Clients show it and keep their login. */
export class TooManyRequestsError extends SyncError {
  readonly status = 429;
}

/** 503: the server is at a limit it shares between everyone (connections, spool space, a turn that never came). */
export class ServiceBusyError extends SyncError {
  readonly status = 503;
}

/**
 * 503: SYNC_BASE is not the folder the server started with (a drive removed, an
 * empty mount point in its place). Nothing is read or created there until it is
 * back; clients say "try again later", which is the truth.
 */
export class StorageMissingError extends SyncError {
  readonly status = 503;
}

/**
 * 507 Insufficient Storage: the storage disk (or the account's quota) is full.
 * Anki shows no body for an error, only the status and its reason phrase: "A
 * network error occurred … (507 Insufficient Storage)" names the problem, where
 * 400 would send the learner to Check Database and 500 to "try again later".
 * The write was rolled back, so once space is freed the next sync runs normally.
 */
export class InsufficientStorageError extends SyncError {
  readonly status = 507;
}

/** What the file system and SQLite say when a write finds no room (SQLite's shared-memory file cannot grow either). */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']);

/** True when `error`, or any error it was caused by, is a write that found no room on the disk. */
export function isOutOfSpace(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 16 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && OUT_OF_SPACE.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** 500: a fault on our side (disk, database). Clients say "try again later". */
export class ServerFaultError extends SyncError {
  readonly status = 500;
}

/** 501: the client's sync version is outside what we speak. Clients say "update Anki". */
export class ClientTooOldError extends SyncError {
  readonly status = 501;
}

/**
 * The one place a thrown error becomes a status. A write that found no room is
 * 507, however it was wrapped on the way (a failed sync step is a 400 around
 * it, a failed upload a 500); anything else that is not a SyncError is a server fault.
 */
export function toSyncError(error: unknown): SyncError {
  if (!(error instanceof InsufficientStorageError) && isOutOfSpace(error)) {
    const context = error instanceof SyncError ? error.context : error instanceof Error ? error.message : String(error);
    return new InsufficientStorageError(context, { cause: error });
  }
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ServerFaultError(message, { cause: error });
}

/**
 * Every error is its status with the status code as a text/plain body (e.g.
 * `403`), never compressed and never with anki-original-size. 404 and 405 come
 * from routing, before any sync code, and have empty bodies as the official
 * server's framework gives them.
 */
export function writeError(res: ServerResponse, error: SyncError): void {
  if (res.headersSent) {
    // A streamed reply failed half-way: the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const body = error.status === 404 || error.status === 405 ? '' : String(error.status);
  res.writeHead(error.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
