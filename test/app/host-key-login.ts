// Logs in the way a version-11 Anki client does: POST <base>sync/hostKey with the
// anki-sync header and a zstd body {"u","p"}; the answer is zstd JSON {"key"}.

import { compress, decompress } from 'zstd-napi';
import { httpRequest } from '../support/http-raw.js';

export interface LoginResult {
  readonly status: number;
  readonly key: string | null;
}

export async function hostKeyLogin(baseUrl: string, username: string, password: string): Promise<LoginResult> {
  const response = await httpRequest(new URL('sync/hostKey', baseUrl).toString(), {
    headers: {
      'anki-sync': JSON.stringify({ v: 11, k: '', c: '25.02,test,linux', s: 'abc' }),
      'content-type': 'application/octet-stream',
    },
    body: compress(Buffer.from(JSON.stringify({ u: username, p: password }))),
  });
  if (response.status !== 200) return { status: response.status, key: null };
  const payload = JSON.parse(decompress(response.body).toString('utf8')) as { key: string };
  return { status: 200, key: payload.key };
}
