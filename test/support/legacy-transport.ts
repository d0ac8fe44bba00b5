// The legacy transport (sync versions 8–10) as old clients speak it: a
// multipart/form-data POST with a buffered body and Content-Length, `data`
// gzipped with `c=1` (media uploads `c=0`), and a raw reply: no compression,
// no anki-original-size. Two field orders, as real clients send them:
//   'python': the method's fields, `c`, then `data` with filename="data"
//             (desktop ≤ 2.1.27 collection sync, Python media ≤ 2.1.21, AnkiDroid);
//   'rust':   `data` first, then `c`, `k`, `s` (desktop 2.1.28–2.1.56); its media
//             requests send `data`, then `sk`, uncompressed with no `c`, and
//             begin is a GET with query parameters.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SyncHttpError } from './v11-transport.js';
import { multipartBody, type FormPart } from './legacy-form.js';
import { MediaHttpError, type MediaMethod, type MediaTransport } from './media-api.js';

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
    call.data === undefined ? [] : [{ name: 'data', value: compress === true ? gzipSync(call.data, { level: 6 }) : call.data, filename: 'data' }];
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

/**
 * /msync/<method> as legacy clients send it. 'python': POST begin with `k`,
 * `v`, `c=1` and `{}`, then `sk` (what begin returned) with gzip `data`,
 * except `uploadChanges` at `c=0`. 'rust' (desktop 2.1.22–2.1.56): GET
 * begin?k=&v=, then `data` and `sk` with no `c` (nothing compressed).
 */
export function legacyMediaTransport(baseUrl: string, hostKey: string, style: LegacyStyle = 'python'): MediaTransport {
  let sessionKey: string | null = null;
  const url = (method: string) => new URL(`msync/${method}`, baseUrl).toString();
  return {
    async call(method: MediaMethod, payload: Buffer): Promise<Buffer> {
      try {
        if (method === 'begin') {
          const version = String((JSON.parse(payload.toString('utf8')) as { v?: unknown }).v ?? 'ankidesktop,2.1.16,lin');
          let reply: Buffer;
          if (style === 'rust') {
            const query = new URLSearchParams({ k: hostKey, v: version });
            reply = acceptLegacyReply(await sendLegacy(`${url('begin')}?${query.toString()}`, Buffer.alloc(0), 'GET'));
          } else {
            const parts = legacyParts({ fields: [['k', hostKey], ['v', version]], data: Buffer.from('{}'), style });
            reply = acceptLegacyReply(await sendLegacy(url('begin'), multipartBody(parts)));
          }
          const sk = (JSON.parse(reply.toString('utf8')) as { data?: { sk?: unknown } }).data?.sk;
          if (typeof sk === 'string') sessionKey = sk;
          return reply;
        }
        if (sessionKey === null) throw new Error(`legacy media ${method} before begin`);
        const compress = style === 'rust' ? 'omit' : method !== 'uploadChanges';
        const parts = legacyParts({ fields: [['sk', sessionKey]], data: payload, compress, style });
        return acceptLegacyReply(await sendLegacy(url(method), multipartBody(parts)));
      } catch (error) {
        if (error instanceof SyncHttpError) throw new MediaHttpError(error.status, error.body);
        throw error;
      }
    },
  };
}
