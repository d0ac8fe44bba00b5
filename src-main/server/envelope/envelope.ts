// What every envelope does, v11 (v11.ts), legacy multipart (legacy-multipart.ts)
// and the old desktop's media begin by query (legacy-begin-query.ts): read the
// head, decode the body, write the reply. codec.ts chooses one per request.
import type { ServerResponse, IncomingMessage } from 'node:http';
import type { DecodedRequest, PayloadLimits, SyncReply } from '../protocol.js';
import type { BodyTarget } from './body-sink.js';
import type { FileBytesListener } from './reply-bytes.js';
import type { SpoolQuota } from './spool-quota.js';

/** What the pipeline tells an envelope about the method and the keys it serves. */
export interface HeadContext {
  readonly limits: PayloadLimits;
  /** The method's cap on its decoded body. */
  readonly maxDecodedBytes: number;
  /** `/msync/begin`: a legacy form's `v` becomes the payload `{"v": …}`, as the reference's router injects it. */
  readonly mediaBegin: boolean;
  /**
   * Each key of a legacy form, as soon as it is read (the last one in force
   * when a `data` part starts is the one its bytes are spooled under): throws
   * (403) for a key we do not serve.
   */
  checkKey(hostKey: string): void;
  /** Where legacy data past memory is spooled while the form is read (see LegacyFormOptions.spill). */
  spill(this: void): { readonly path: string; readonly quota?: SpoolQuota };
}

/** A head as read; only its envelope looks inside. */
export interface RequestHead {
  /** The key a v11 header or a query carries, for the pipeline to check; undefined once a legacy form has checked its own. */
  readonly hostKey: string | undefined;
  /**
   * The body is still on the socket (v11): it is received as soon as the slot
   * is taken, never while the request waits for the user's lock. A legacy form
   * is already read to its end, and a query has no body: both are decoded at
   * the user's turn.
   */
  readonly bodyOnSocket: boolean;
}

export interface Envelope<Head extends RequestHead = RequestHead> {
  /** Reads what comes before the body (the v11 header; the whole legacy form, its raw data at most 64 KiB in memory). */
  readHead(req: IncomingMessage, context: HeadContext): Promise<Head>;
  /** The body decoded into `target`, with the method's cap. */
  decodeBody(req: IncomingMessage, head: Head, target: BodyTarget, context: HeadContext): Promise<DecodedRequest>;
  /** The reply encoded for the request's transportVersion (a v11 header may name 8–10: those get the legacy reply). */
  writeReply(res: ServerResponse, reply: SyncReply, transportVersion: number, onFileBytes?: FileBytesListener): Promise<void>;
}
