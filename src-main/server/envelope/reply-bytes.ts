import type { SyncReply } from '../protocol.js';
import { stringifyJson } from '../storage/json.js';

/** The uncompressed payload of an in-memory reply. */
export function replyBytes(reply: Exclude<SyncReply, { kind: 'file' }>): Buffer {
  if (reply.kind === 'raw') return reply.data;
  // A handler with nothing to say means the unit reply (null). stringifyJson is
  // JSON.stringify that also writes 64-bit integers (bigint) exactly: stock
  // notetype field ids exceed 2^53 (storage/json.ts).
  return Buffer.from(stringifyJson(reply.value ?? null), 'utf8');
}
