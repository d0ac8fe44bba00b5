// Reading a JSON request payload the way the reference does (serde_json): bytes
// that are not UTF-8 or not JSON are a 400 `invalid json`. Integers beyond 2^53
// (stock notetype field ids) arrive as exact bigints instead of rounded numbers
// (server/json.ts parseJson); every other value is what JSON.parse gives.
import { BadRequestError } from './errors.js';
import type { RequestBody } from './protocol.js';
import { isJsonObject, parseJson } from './json.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(data: Buffer): unknown {
  try {
    return parseJson(strictUtf8.decode(data));
  } catch (error) {
    throw new BadRequestError('invalid json', { cause: error });
  }
}

/** The payload as JSON; a spooled (file) body is never JSON. */
export function requestJson(body: RequestBody): unknown {
  if (body.kind !== 'buffer') throw new BadRequestError('invalid json: payload is a file');
  return parseJsonBody(body.data);
}

/** A JSON object payload (`{}` or `{"_pad":null}` for methods without arguments). */
export function requestJsonObject(body: RequestBody): Record<string, unknown> {
  const value = requestJson(body);
  if (!isJsonObject(value)) throw new BadRequestError('invalid json: not an object');
  return value;
}
