// The version-11 transport as a native client costs it: the body compressed in
// one call and sent chunked (as the reference client sends it), the reply
// decompressed in one call, on a keep-alive connection. The tests' streaming
// transport (test/support/v11-transport.ts) builds two zstd streams per
// request, which costs the test process ~1.5 ms per round trip; here the
// benches measure the server, not that.
import { Agent, request } from 'node:http';
import { Compressor, Decompressor } from 'zstd-napi';
import { syncHeaderValue, SyncHttpError } from '../../test/support/v11-transport.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const compressor = new Compressor();
const decompressor = new Decompressor();

export function bufferedV11Request(url: string, fields: { k: string; s: string }, body: string): Promise<Buffer> {
  const payload = compressor.compress(Buffer.from(body, 'utf8'));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'anki-sync': syncHeaderValue(fields), 'content-type': 'application/octet-stream' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const data = Buffer.concat(chunks);
          if (response.statusCode !== 200) return reject(new SyncHttpError(response.statusCode ?? 0, data.toString('utf8')));
          const size = Number(response.headers['anki-original-size']);
          const decoded = decompressor.decompress(data);
          if (decoded.length !== size) return reject(new SyncHttpError(200, '', `anki-original-size ${size} but ${decoded.length} bytes`));
          resolve(decoded);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function closeBufferedTransport(): void {
  agent.destroy();
}
