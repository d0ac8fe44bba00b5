// The contract between the HTTP layer and the protocol methods. The envelope
// (v11 or legacy) turns a request into a SyncRequest; the method's InputParser
// reads its input from it; its MethodHandler answers with a SyncReply; the
// envelope encodes the reply for the client's version.
// Handlers never see HTTP, compression or multipart.

// A leaf: it imports no server module but errors.ts (itself a leaf), so that
// everything may import it without closing a circle (test/app/import-cycles.test.ts).
import type { ServerActivityKind } from '../shared/activity-kinds.js';
import { BadRequestError } from './errors.js';

/** A request payload, already decompressed and size-checked. */
export type RequestBody =
  /** JSON methods, media zips: small enough to hold. Empty legacy `data` arrives as `{}`. */
  | { readonly kind: 'buffer'; readonly data: Buffer }
  /**
   * Full uploads: spooled to a temporary file inside the user's folder. The handler owns it.
   * A body over the payload limit is cut off there and arrives with size = maxUncompressedBytes,
   * so `size >= limits.maxUncompressedBytes` means "too big" (the reference's truncation rule).
   */
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

/** What an envelope decoder (v11 or legacy multipart) extracts from a request. */
export interface DecodedRequest {
  /** The host key (`k`, legacy `k`/`sk`, or GET query `k`); empty on hostKey. */
  readonly hostKey: string;
  /** 11 for `anki-sync` header requests; 10 for every legacy multipart request (see docs/protocol/transport-auth-media.md §1.3). */
  readonly transportVersion: number;
  /** The collection-sync session key (`s`); empty when the client sent none. */
  readonly sessionKey: string;
  /** The client's version string (`c` header field, or legacy form `v`); for logs only. */
  readonly clientVersion: string;
  readonly body: RequestBody;
}

/** A decoded request as a method handler sees it. */
export interface SyncRequest extends DecodedRequest {
  /** The protocol method name, exactly as in the path: `meta`, `applyChunk`, `uploadChanges`. */
  readonly method: string;
  /** The peer address, for logs and the activity list. */
  readonly clientIp: string;
  /** Tells the sync's progress how many media files this request moves. */
  readonly reportFiles?: (count: number) => void;
  /** A client version the body names (meta's `cv`), for the account's list of clients. */
  readonly reportClient?: (client: string) => void;
}

/** A step after `start` needs its session key (400 without one). */
export function requireSessionKey(request: SyncRequest): string {
  if (request.sessionKey === '') throw new BadRequestError(`${request.method}: missing session key`);
  return request.sessionKey;
}

export type SyncReply =
  /** Serialised with JSON.stringify; `null` is the unit reply. */
  | { readonly kind: 'json'; readonly value: unknown }
  /**
   * Bytes sent as they are: `OK`, an upload error sentence, a media zip.
   * `incompressible` says zstd would gain nothing (already-compressed media),
   * so v11 wraps them at its fastest level.
   */
  | { readonly kind: 'raw'; readonly data: Buffer; readonly incompressible?: boolean }
  /**
   * A file streamed to the client (full download); `dispose` runs after the last
   * byte or on error. With `fd`, that open descriptor is read instead of the path
   * (the path may meanwhile name another file).
   */
  | { readonly kind: 'file'; readonly path: string; readonly fd?: number; readonly size: number; dispose(): Promise<void> };

export interface PayloadLimits {
  /** MAX_SYNC_PAYLOAD_MEGS in bytes: the cap on a request as sent. */
  readonly maxBytes: number;
  /** Three times maxBytes: the cap on a decompressed payload. */
  readonly maxUncompressedBytes: number;
}

/** Declared once, in shared/activity-kinds.ts (the window lists the same kinds). */
export type { ServerActivityKind as ActivityKind } from '../shared/activity-kinds.js';

/** The detail of a login-failed event for a login refused unchecked, because too many were in progress. */
export const LOGIN_THROTTLED = 'too many logins at once';

export interface ActivityEvent {
  readonly kind: ServerActivityKind;
  readonly username: string;
  readonly clientIp: string;
  readonly at: number; // ms since epoch
  readonly detail?: string;
  /** Set on a summary of events not reported one by one (a flood of failed logins): how many. */
  readonly count?: number;
  /** The client's version string (`c` or `cv`), when the event is about a client. */
  readonly client?: string;
  /** Set when the event reports something that went wrong (a certificate renewal that failed). */
  readonly failed?: boolean;
  /** Set when the event reports something the owner should act on before it goes wrong (a certificate about to expire). */
  readonly warning?: boolean;
}

export function jsonReply(value: unknown): SyncReply {
  return { kind: 'json', value };
}

export function rawReply(data: Buffer | string): SyncReply {
  return { kind: 'raw', data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data };
}

/** Bytes that are already compressed (a media download's stored zip of media files). */
export function incompressibleReply(data: Buffer): SyncReply {
  return { kind: 'raw', data, incompressible: true };
}
