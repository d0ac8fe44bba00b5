// `GET /msync/begin?k=<hkey>&v=<client version>`: how the Rust media syncer of
// desktop 2.1.22–2.1.56 starts. The reference maps it onto a POST begin at
// version 10 with the payload `{"v": v}`; both parameters are required.
import { BadRequestError } from '../errors.js';
import type { DecodedRequest } from '../protocol.js';
import { LEGACY_TRANSPORT_VERSION } from './legacy-multipart.js';
import { writeLegacyReply } from './legacy-reply.js';
import type { Envelope, RequestHead } from './envelope.js';

export function decodeLegacyBeginQuery(query: URLSearchParams): DecodedRequest {
  const hostKey = query.get('k');
  const clientVersion = query.get('v');
  if (hostKey === null || clientVersion === null) {
    throw new BadRequestError('begin query needs both k and v');
  }
  return {
    hostKey,
    sessionKey: '',
    transportVersion: LEGACY_TRANSPORT_VERSION,
    clientVersion,
    body: { kind: 'buffer', data: Buffer.from(JSON.stringify({ v: clientVersion })) },
  };
}

interface QueryHead extends RequestHead {
  readonly decoded: DecodedRequest;
}

/** The query is the whole request: read as the head, and handed over as the body. */
export function beginQueryEnvelope(query: URLSearchParams): Envelope<QueryHead> {
  return {
    readHead: async () => {
      const decoded = decodeLegacyBeginQuery(query);
      return { hostKey: decoded.hostKey, bodyOnSocket: false, decoded };
    },
    decodeBody: async (_req, head) => head.decoded,
    writeReply: (res, reply, _transportVersion, onFileBytes) => writeLegacyReply(res, reply, onFileBytes),
  };
}
