// Both steps of the legacy envelope at once, for the decoder's own tests, which
// have no turn to wait for; the server reads the form and decodes the payload
// apart (envelope/codec.ts), the user's lock between them.
import type { IncomingMessage } from 'node:http';
import { AuthFailedError } from '../../src-main/server/errors.js';
import type { DecodedRequest, PayloadLimits } from '../../src-main/server/protocol.js';
import type { BodyTarget } from '../../src-main/server/envelope/body-sink.js';
import { decodeLegacyPayload, readLegacyForm, type LegacySpill } from '../../src-main/server/envelope/legacy-multipart.js';

export interface LegacyDecodeOptions {
  readonly limits: PayloadLimits;
  /** Where the payload goes for a host key; 'discard' means a key we do not serve (a 403 at once). */
  bodyTarget(hostKey: string): BodyTarget;
  /** Where raw data is spooled while the form is read. */
  spill(this: void): LegacySpill;
  readonly mediaBegin?: boolean;
}

/** Both steps at once, for callers with no turn to wait for (the decoder's own tests). */
export async function decodeLegacyRequest(req: IncomingMessage, options: LegacyDecodeOptions): Promise<DecodedRequest> {
  const { limits } = options;
  const form = await readLegacyForm(req, {
    limits,
    maxDecodedBytes: limits.maxUncompressedBytes,
    checkKey: (hostKey) => {
      if (options.bodyTarget(hostKey).kind === 'discard') throw new UnknownKeyError('invalid hkey');
    },
    spill: options.spill,
  });
  if (options.bodyTarget(form.fields.hostKey).kind === 'discard') {
    await form.discard();
    throw new UnknownKeyError('invalid hkey');
  }
  return decodeLegacyPayload(form, {
    limits,
    target: options.bodyTarget(form.fields.hostKey),
    mediaBegin: options.mediaBegin ?? isMediaBeginPath(req.url),
  });
}

class UnknownKeyError extends AuthFailedError {}

/** `/msync/begin` (any query string ignored). */
function isMediaBeginPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = url.split('?', 1)[0] ?? '';
  return path === '/msync/begin';
}
