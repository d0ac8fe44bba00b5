// The legacy transport (sync versions 8–10) as old clients speak it: a
// multipart/form-data POST with a buffered body and Content-Length, `data`
// gzipped with `c=1` (media uploads `c=0`), and a raw reply: no compression,
// no anki-original-size. Two field orders, as real clients send them:
//   'python': the method's fields, `c`, then `data` with filename="data"
//             (desktop ≤ 2.1.27 collection sync, AnkiDroid ≤ 2.15);
//   'rust':   `data` first, then `c`, `k`, `s` (desktop 2.1.28–2.1.56).
// (Media requests have their own transport: legacy-media-transport.ts.)
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SyncHttpError } from './v11-transport.js';
import { multipartBody, type FormPart } from './legacy-form.js';

export type LegacyStyle = 'python' | 'rust';

export interface LegacyCall {
  /** Text fields in the order the style sends them, e.g. [['k', key], ['s', session]]. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
  /** The payload; undefined sends no `data` part (a full download). */
  readonly data?: Buffer;
  /** gzip the payload and send `c=1` (the default); false sends `c=0`; 'omit' sends neither. */
  readonly compress?: boolean | 'omit';
  readonly style?: LegacyStyle;
}

/** The parts of one request in the style's order. */
export function legacyParts(call: LegacyCall): FormPart[] {
  const compress = call.compress ?? true;
  const text: FormPart[] = call.fields.map(([name, value]) => ({ name, value }));
  const c: FormPart[] = compress === 'omit' ? [] : [{ name: 'c', value: compress ? '1' : '0' }];
  const data: FormPart[] =
    call.data === undefined
      ? []
      : [{ name: 'data', value: compress === true ? gzipSync(call.data, { level: 6 }) : call.data, filename: 'data' }];
  return call.style === 'rust' ? [...data, ...c, ...text] : [...text, ...c, ...data];
}

export interface LegacyResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export function sendLegacy(url: string, body: Buffer, method = 'POST'): Promise<LegacyResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> =
      method === 'POST'
        ? { 'content-type': 'multipart/form-data; boundary=Anki-sync-boundary', 'content-length': body.length, 'user-agent': 'Anki 2.1.16' }
        : {};
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

/**
 * The reply of a 200 as a legacy client reads it. Any other status is a
 * SyncHttpError. A compressed or size-headed reply would break old clients,
 * so it is an error here too.
 */
export function acceptLegacyReply(response: LegacyResponse): Buffer {
  if (response.status !== 200) throw new SyncHttpError(response.status, response.body.toString('utf8'));
  if (response.headers['anki-original-size'] !== undefined) {
    throw new SyncHttpError(200, '', 'legacy reply carries anki-original-size');
  }
  if (response.headers['content-encoding'] !== undefined) {
    throw new SyncHttpError(200, '', `legacy reply is ${String(response.headers['content-encoding'])}-encoded`);
  }
  return response.body;
}

/** One legacy POST to `<base><area>/<method>`; the raw reply bytes. */
export async function legacyRequest(baseUrl: string, area: 'sync' | 'msync', method: string, call: LegacyCall): Promise<Buffer> {
  const url = new URL(`${area}/${method}`, baseUrl).toString();
  return acceptLegacyReply(await sendLegacy(url, multipartBody(legacyParts(call))));
}

/** Old Python clients' session key: 8 hex chars, new for each sync attempt. */
export function pythonSessionKey(): string {
  return randomBytes(4).toString('hex');
}
