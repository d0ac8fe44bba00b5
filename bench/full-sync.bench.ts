// Full upload and full download of collections of 500, 5,000 and 50,000 notes
// (two cards and ten review log rows a note, ~1,250 characters of field text:
// the largest is ~100 MB), over v11 and over the legacy envelope (its download
// a schema-11 file), through the real server in a child process. Next to each,
// in the same round, the same work done raw in this process: the transport's
// compression both ways (zstd; for legacy gzip up, none down), a file write and
// integrity_check. The ratio says how close we are to raw; the
// fixed cost (exchange minus raw, in ms) is what dominates small collections.
// `node dist/bench/run.js full-sync [sizes…]`, e.g. `full-sync 500 5000`.
import { Agent, globalAgent } from 'node:http';
import http from 'node:http';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { CompressStream, DecompressStream } from 'zstd-napi';
import { buildBigCollection } from './support/big-collection.js';
import { openDatabase } from '../src-main/server/index.js';
import { V11Client } from '../test/support/v11-client.js';
import { LegacyClient } from '../test/support/legacy-client.js';
import { REAL_ANKI_FIXTURES } from '../test/support/real-anki-fixtures.js';
import { median } from './support/median.js';
import { BenchServer } from './support/bench-server.js';
import { makeTempFolder } from '../test/support/temp-folder.js';

const MB = 1024 * 1024;
const defaultAgent = globalAgent;
const SIZES = [500, 5_000, 50_000];
const hostKey = createHash('sha1').update('bench:bench').digest('hex');

function integrityCheck(path: string): void {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    const rows = db.prepare('PRAGMA integrity_check').pluck().all();
    if (rows.length !== 1 || rows[0] !== 'ok') throw new Error(`integrity_check failed on ${path}`);
  } finally {
    db.close();
  }
}

type Compression = 'zstd' | 'gzip' | 'none';

/**
 * The raw pipeline: compress, decompress, write, integrity_check. The
 * compression is the transport's: zstd both ways for v11; for the legacy
 * envelope gzip (level 6, as its clients send it) on upload and none on
 * download, whose reply is sent as it is.
 */
async function rawPass(compression: Compression, source: string, target: string): Promise<number> {
  const started = performance.now();
  const stages =
    compression === 'zstd'
      ? [new CompressStream(), new DecompressStream()]
      : compression === 'gzip'
        ? [createGzip({ level: 6 }), createGunzip()]
        : [];
  await pipeline([createReadStream(source, { highWaterMark: MB }), ...stages, createWriteStream(target)]);
  integrityCheck(target);
  const ms = performance.now() - started;
  rmSync(target, { force: true });
  return ms;
}

interface Round {
  upload: number;
  uploadServer: number;
  rawUpload: number;
  download: number;
  downloadServer: number;
  rawDownload: number;
}

interface Client {
  upload(path: string): Promise<string>;
  download(path: string): Promise<void>;
}

async function clientFor(transport: 'v11' | 'legacy', url: string): Promise<Client> {
  if (transport === 'v11') {
    const client = new V11Client(url);
    await client.login('bench', 'bench');
    await client.meta();
    return { upload: (path) => client.fullUpload(path), download: (path) => client.fullDownload(path) };
  }
  // The test client gzips a whole upload before it connects, which takes longer than the server's
  // keep-alive on the largest file: a reused socket would be closed under it (EPIPE).
  http.globalAgent = new Agent({ keepAlive: false });
  const client = new LegacyClient(url, { syncVersion: 9, style: 'python' });
  await client.login('bench', 'bench');
  await client.meta();
  return {
    upload: (path) => client.fullUpload(path),
    download: async (path) => {
      await client.fullDownload(path);
      integrityCheck(path);
    },
  };
}

const ms = (value: number): string => `${value.toFixed(0).padStart(6)} ms`;
const roundsFor = (notes: number): number => (notes >= 50_000 ? 3 : notes >= 5_000 ? 5 : 9);

async function row(work: string, notes: number, transport: 'v11' | 'legacy', schema18: string): Promise<void> {
  const base = join(work, `base-${notes}-${transport}`);
  mkdirSync(base);
  const server = await BenchServer.start({
    host: '127.0.0.1',
    port: 0,
    baseFolder: base,
    maxPayloadMegs: 200,
    users: [{ name: 'bench', secret: { kind: 'plain', password: 'bench' }, hostKey }],
  });
  try {
    const client = await clientFor(transport, server.url);
    let collection = schema18;
    if (transport === 'legacy') {
      // What a legacy client holds: the server's schema-11 download of the collection.
      const v11 = await clientFor('v11', server.url);
      if ((await v11.upload(schema18)) !== 'OK') throw new Error('upload refused');
      collection = join(work, `col-${notes}-schema11.anki2`);
      await client.download(collection);
    }
    const idle = await server.stats();
    const rounds: Round[] = [];
    // The machine is shared: each round runs the server's exchange and the raw pass back to back,
    // so both see the same load; medians are reported.
    for (let round = 0; round < roundsFor(notes); round++) {
      await server.reset();
      let started = performance.now();
      const answer = await client.upload(collection);
      const upload = performance.now() - started;
      if (answer !== 'OK') throw new Error(`upload refused: ${answer}`);
      const uploadServer = (await server.stats()).handlerMs;
      const rawUpload = await rawPass(transport === 'v11' ? 'zstd' : 'gzip', collection, join(work, 'raw-upload.anki2'));

      await server.reset();
      started = performance.now();
      await client.download(join(work, 'downloaded.anki2'));
      const download = performance.now() - started;
      const downloadServer = (await server.stats()).handlerMs;
      rmSync(join(work, 'downloaded.anki2'), { force: true });
      const rawDownload = await rawPass(transport === 'v11' ? 'zstd' : 'none', collection, join(work, 'raw-download.anki2'));
      rounds.push({ upload, uploadServer, rawUpload, download, downloadServer, rawDownload });
    }
    if (transport === 'legacy') console.log(`${' '.repeat(20)} (schema-11 file: ${(statSync(collection).size / MB).toFixed(1)} MiB)`);
    const peak = await server.stats();
    const med = (pick: (r: Round) => number): number => median(rounds.map(pick));
    const label = `${notes.toLocaleString('en')} notes ${transport}`.padEnd(20);
    console.log(
      `${label} upload   ${ms(med((r) => r.upload))}  raw ${ms(med((r) => r.rawUpload))}  ratio ${med((r) => r.upload / r.rawUpload).toFixed(2)}×  fixed ${ms(med((r) => r.upload - r.rawUpload))}  (server handler ${ms(med((r) => r.uploadServer))})`,
    );
    console.log(
      `${label} download ${ms(med((r) => r.download))}  raw ${ms(med((r) => r.rawDownload))}  ratio ${med((r) => r.download / r.rawDownload).toFixed(2)}×  fixed ${ms(med((r) => r.download - r.rawDownload))}  (server handler ${ms(med((r) => r.downloadServer))})`,
    );
    console.log(
      `${label} server RSS idle ${(idle.vmRssKb / 1024).toFixed(0)} MiB, peak ${(peak.vmHwmKb / 1024).toFixed(0)} MiB, peak above idle ${((peak.vmHwmKb - idle.vmRssKb) / 1024).toFixed(0)} MiB  [${rounds.length} rounds, load ${loadavg()[0]!.toFixed(2)}]`,
    );
  } finally {
    http.globalAgent = defaultAgent;
    await server.stop();
  }
}

async function main(): Promise<void> {
  const asked = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const transports = (['v11', 'legacy'] as const).filter((t) => !process.argv.includes(`--no-${t}`));
  const sizes = asked.length > 0 ? asked : SIZES;
  const work = makeTempFolder('ahs-bench-');
  try {
    console.log(
      `targets: ratio ≤ 1.5× at every size and transport; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    for (const notes of sizes) {
      const collection = join(work, `col-${notes}.anki2`);
      const started = performance.now();
      buildBigCollection(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), collection, {
        notes,
        revlog: notes * 10,
        fieldChars: 1_250,
      });
      console.log(
        `${notes.toLocaleString('en')} notes: ${(statSync(collection).size / MB).toFixed(1)} MiB, built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      for (const transport of transports) await row(work, notes, transport, collection);
      rmSync(collection, { force: true });
      rmSync(join(work, `col-${notes}-schema11.anki2`), { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
