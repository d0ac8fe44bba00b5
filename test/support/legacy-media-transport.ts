// /msync/<method> as clients before 2.1.57 send it: a multipart form with `sk`
// (or `k` and `v` on begin), JSON gzipped with c=1, upload zips raw with c=0,
// answers raw. With `rustMedia`, as desktop 2.1.28–2.1.56: begin is a GET with a
// query, and no `c` field at all (nothing compressed).
import { MediaHttpError, type MediaMethod, type MediaTransport } from './media-api.js';
import { httpRequest } from './http-raw.js';
import { ANKI_BOUNDARY, legacyFormParts, multipartBody } from './legacy-form.js';

export function legacyMediaTransport(baseUrl: string, hostKey: string, options: { rustMedia?: boolean } = {}): MediaTransport {
  return {
    async call(method: MediaMethod, payload: Buffer): Promise<Buffer> {
      const url = new URL(`msync/${method}`, baseUrl);
      if (method === 'begin' && options.rustMedia === true) {
        const { v } = JSON.parse(payload.toString()) as { v?: string };
        // A begin without a client version sends no `v` at all (the server's 400 case).
        url.search = new URLSearchParams(v === undefined ? { k: hostKey } : { k: hostKey, v }).toString();
        return check(await httpRequest(url.toString(), { method: 'GET' }));
      }
      const parts =
        method === 'begin'
          ? legacyFormParts({
              k: hostKey,
              v: (JSON.parse(payload.toString()) as { v: string }).v,
              data: '{}',
              compress: options.rustMedia ? 'omit' : true,
            })
          : legacyFormParts({
              sk: hostKey,
              data: payload,
              compress: options.rustMedia ? 'omit' : method !== 'uploadChanges',
            });
      const body = multipartBody(parts);
      return check(
        await httpRequest(url.toString(), { headers: { 'content-type': `multipart/form-data; boundary=${ANKI_BOUNDARY}` }, body }),
      );
    },
  };
}

function check(response: { status: number; headers: Record<string, unknown>; body: Buffer }): Buffer {
  if (response.status !== 200) throw new MediaHttpError(response.status, response.body.toString());
  if (response.headers['anki-original-size'] !== undefined) throw new Error('a legacy answer must not carry anki-original-size');
  return response.body;
}
