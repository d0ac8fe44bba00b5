import type { SyncReply } from '../protocol.js';

/** The uncompressed payload of an in-memory reply. */
export function replyBytes(reply: Exclude<SyncReply, { kind: 'file' }>): Buffer {
  if (reply.kind === 'raw') return reply.data;
  // JSON.stringify(undefined) is undefined; a handler with nothing to say means the unit reply.
  return Buffer.from(JSON.stringify(reply.value ?? null), 'utf8');
}
