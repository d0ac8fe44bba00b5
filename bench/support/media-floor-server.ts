// The least a media server can do for the bench's client, in a process of its
// own like the real one: take each v11 request, read and zstd-decode its body,
// and answer. uploadChanges reads the zip's `_meta` (the count the client needs
// back) and stores nothing. So an upload against it costs the exchange alone:
// the client's reading, zipping and compressing, HTTP on loopback and the
// decoding, with no storage. Prints {"port": n} once listening; stops on SIGTERM.
//   node media-floor-server.js
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import yauzl from 'yauzl';
import { compress, decompress } from 'zstd-napi';

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return decompress(Buffer.concat(chunks));
}

/** The number of entries in the zip's `_meta`: what the reference server answers as "processed". */
async function metaEntries(zip: Buffer): Promise<number> {
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  return new Promise((resolve, reject) => {
    archive.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== '_meta') return archive.readEntry();
      archive.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).length));
        stream.on('error', reject);
      });
    });
    archive.on('end', () => reject(new Error('no _meta')));
    archive.readEntry();
  });
}

let usn = 0;

async function answer(method: string, body: Buffer): Promise<unknown> {
  switch (method) {
    case 'begin':
      return { usn, sk: 'floor' };
    case 'mediaChanges':
      return [];
    case 'uploadChanges': {
      const processed = await metaEntries(body);
      usn += processed;
      return [processed, usn];
    }
    case 'mediaSanity':
      return 'OK';
    default:
      throw new Error(`the floor server does not answer ${method}`);
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = (request.url ?? '').split('/').at(-1) ?? '';
  const data = await answer(method, await bodyOf(request));
  const reply = Buffer.from(JSON.stringify({ data, err: '' }));
  response.writeHead(200, { 'anki-original-size': String(reply.length) });
  response.end(compress(reply));
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    response.writeHead(500);
    response.end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
