// Every error is its status with the status code as a text/plain body (e.g.
// `403`), never compressed and never with anki-original-size. 404 and 405 come
// from routing, before any sync code, and have empty bodies as the official
// server's framework gives them.
import type { ServerResponse } from 'node:http';
import type { SyncError } from '../errors.js';

export function writeError(res: ServerResponse, error: SyncError): void {
  if (res.headersSent) {
    // A streamed reply failed half-way: the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const body = error.status === 404 || error.status === 405 ? '' : String(error.status);
  res.writeHead(error.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
