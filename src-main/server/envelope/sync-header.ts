// The `anki-sync` request header of sync version 11: a JSON object with the host
// key, client version, session key and sync version. A header that is present
// but unreadable is a 400: the server never falls back to multipart for it.
import { BadRequestError, ProtocolDriftError } from '../errors.js';

export const SYNC_HEADER = 'anki-sync';

export const SYNC_VERSION_MIN = 8;
export const SYNC_VERSION_MAX = 11;

export interface SyncHeader {
  /** Sync version, 8..=11. */
  readonly v: number;
  /** Host key; empty on hostKey. */
  readonly k: string;
  /** Client version string, for logs. */
  readonly c: string;
  /** Session key. */
  readonly s: string;
}

/** Node joins repeated headers with ", "; the reference reads only the first value. */
export function parseSyncHeader(value: string | string[]): SyncHeader {
  const raw = Array.isArray(value) ? value[0] : value;
  // The reference reads the value as visible ASCII only (http's HeaderValue::to_str).
  if (raw === undefined || !/^[\t\x20-\x7e]*$/.test(raw)) throw new BadRequestError('bad sync header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequestError('bad sync header');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('bad sync header');
  }
  const { v, k, c, s } = parsed as Record<string, unknown>;
  if (typeof k !== 'string' || typeof c !== 'string' || typeof s !== 'string') {
    throw new BadRequestError('bad sync header');
  }
  // serde reads `v` as a u8: any other number, or a non-integer, is a bad header.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
    throw new BadRequestError('bad sync header');
  }
  if (v > SYNC_VERSION_MAX) throw new ProtocolDriftError(`unsupported sync version: ${v}`, { kind: 'version', version: v }, c);
  if (v < SYNC_VERSION_MIN) throw new BadRequestError(`unsupported sync version: ${v}`);
  return { v, k, c, s };
}
