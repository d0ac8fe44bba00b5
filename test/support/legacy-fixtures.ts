// The requests a real Anki 2.1.16 client sent (test/fixtures/wire-legacy-2.1.16):
// their raw bytes, and what the readable `.txt` next to each says about them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LEGACY_FIXTURES } from './fixture-paths.js';

export { LEGACY_FIXTURES };
/** The host key the recording's account had (`test`/`secret`). */
export const RECORDED_HKEY = '523322844031c7adb91401e307edd32ad150d563';

export interface RecordedRequest {
  /** e.g. `04-sync-meta` */
  readonly name: string;
  /** `/sync/meta` */
  readonly path: string;
  readonly raw: Buffer;
  /** Text fields as the `.txt` lists them, in order. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
  /** The decoded JSON payload when the `.txt` shows one. */
  readonly json: unknown;
  readonly hasData: boolean;
}

export function recordedRequests(): RecordedRequest[] {
  return readdirSync(LEGACY_FIXTURES)
    .filter((file) => file.endsWith('.request.raw'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.request.raw'.length);
      const raw = readFileSync(join(LEGACY_FIXTURES, file));
      const text = readFileSync(join(LEGACY_FIXTURES, `${name}.txt`), 'utf8');
      const path = /^POST (\S+) HTTP/m.exec(text)?.[1] ?? '';
      const fields: [string, string][] = [];
      for (const match of text.matchAll(/^- field '(\w+)'.*?value='([^']*)'$/gm)) fields.push([match[1]!, match[2]!]);
      const payload = /payload after [^:]+:\n {2}(.*)$/m.exec(text)?.[1];
      let json: unknown = undefined;
      if (payload !== undefined && !payload.startsWith('<')) json = JSON.parse(payload);
      return { name, path, raw, fields, json, hasData: /^- field 'data'/m.test(text) };
    });
}

/**
 * The recorded bytes with the recording's host key replaced by another of the
 * same length (a 40-hex hkey), so Content-Length stays right.
 */
export function withHostKey(raw: Buffer, hostKey: string, from = RECORDED_HKEY): Buffer {
  if (hostKey.length !== from.length) throw new Error('replacement key must have the same length');
  return replaceAll(raw, Buffer.from(from), Buffer.from(hostKey));
}

export function replaceAll(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  const out = Buffer.from(haystack);
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
    replacement.copy(out, at);
  }
  return out;
}

/**
 * The recorded bytes with one text field's value replaced (any length) and
 * Content-Length corrected; everything else stays as recorded.
 */
export function withFieldValue(raw: Buffer, field: string, value: string): Buffer {
  const marker = Buffer.from(`name="${field}"\r\n\r\n`);
  const at = raw.indexOf(marker);
  if (at < 0) throw new Error(`no field ${field}`);
  const start = at + marker.length;
  const end = raw.indexOf('\r\n', start);
  const edited = Buffer.concat([raw.subarray(0, start), Buffer.from(value), raw.subarray(end)]);
  const headEnd = edited.indexOf('\r\n\r\n');
  const bodyLength = edited.length - headEnd - 4;
  const head = edited
    .subarray(0, headEnd)
    .toString('latin1')
    .replace(/^Content-Length: \d+$/im, `Content-Length: ${bodyLength}`);
  return Buffer.concat([Buffer.from(head, 'latin1'), edited.subarray(headEnd)]);
}
