// The envelope of each request, chosen once here, as the reference's
// SyncRequest::from_request chooses (rslib/src/sync/request/mod.rs). A request
// with the `anki-sync` header is version 11 (a broken header is a 400, never a
// fallback); `GET /msync/begin?k=&v=` is the old desktop's media begin, a query
// and no body; any other request is legacy multipart. Each is an Envelope
// (envelope.ts): the pipeline reads the head, has the key checked, decodes the
// body when it is the user's turn, and writes the reply, without knowing which
// envelope it holds.
import type { IncomingMessage } from 'node:http';
import { SYNC_HEADER, v11Envelope } from './v11.js';
import { legacyEnvelope } from './legacy-multipart.js';
import { beginQueryEnvelope } from './legacy-begin-query.js';
import type { Envelope } from './envelope.js';

export type { Envelope, HeadContext, RequestHead } from './envelope.js';
export type { BodyTarget } from './body-sink.js';

/** The envelope of a request: `query` is the one of a `GET /msync/begin`, null for any other request. */
export function envelopeOf(req: IncomingMessage, query: URLSearchParams | null): Envelope {
  if (query !== null) return beginQueryEnvelope(query);
  return req.headers[SYNC_HEADER] === undefined ? legacyEnvelope : v11Envelope;
}

/** The client version a v11 header names, read leniently: for words only, when the request itself was refused. */
export function clientNamedBy(req: IncomingMessage): string {
  const value = req.headers[SYNC_HEADER];
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return '';
  try {
    const parsed = JSON.parse(raw) as { c?: unknown };
    return typeof parsed.c === 'string' ? parsed.c : '';
  } catch {
    return '';
  }
}
