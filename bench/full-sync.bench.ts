// Full upload and full download of a ~100 MB collection (50k notes, 100k cards,
// 500k revlog rows) through the real server in a child process, next to the
// same work done raw in this process (zstd both ways, a file write and
// integrity_check), with the server's idle and peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { CompressStream, DecompressStream } from 'zstd-napi';
import { buildBigCollection } from './support/big-collection.js';
import { openDatabase } from '../src-main/server/index.js';
import { V11Client } from '../test/support/v11-client.js';
import { REAL_ANKI_FIXTURES } from '../test/support/real-anki-fixtures.js';
import { median } from './support/median.js';
import { makeTempFolder } from '../test/support/temp-folder.js';

const CLI = fileURLToPath(new URL('../src-main/cli.js', import.meta.url));
const MB = 1024 * 1024;

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

function integrityCheck(path: string): void {
  const db = openDatabase(path, { fileMustExist: true });
  try {
    const rows = db.prepare('PRAGMA integrity_check').pluck().all();
    if (rows.length !== 1 || rows[0] !== 'ok') throw new Error(`integrity_check failed on ${path}`);
  } finally {
    db.close();
  }
}

/** The raw pipeline: compress, decompress, write, integrity_check. */
async function rawPass(source: string, target: string): Promise<number> {
  const started = performance.now();
  await pipeline(createReadStream(source, { highWaterMark: MB }), new CompressStream(), new DecompressStream(), createWriteStream(target));
  integrityCheck(target);
  return performance.now() - started;
}

async function startServer(base: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI], {
    env: {
      PATH: process.env['PATH'] ?? '',
      SYNC_USER1: 'bench:bench',
      SYNC_HOST: '127.0.0.1',
      SYNC_PORT: '0',
      SYNC_BASE: base,
      MAX_SYNC_PAYLOAD_MEGS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  // Request log lines are the server's business; keep them off the bench's figures.
  child.stderr.resume();
  return { child, port };
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const ROUNDS = 3;

async function main(): Promise<void> {
  const work = makeTempFolder('ahs-bench-');
  try {
    const collection = join(work, 'big.anki2');
    let started = performance.now();
    buildBigCollection(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), collection, {
      notes: 50_000,
      revlog: 500_000,
      fieldChars: 1_250,
    });
    const size = statSync(collection).size;
    console.log(
      `collection: ${(size / MB).toFixed(1)} MiB (50k notes, 100k cards, 500k revlog), built in ${fmt(performance.now() - started)}`,
    );

    const { child, port } = await startServer(join(work, 'base'));
    const pid = child.pid!;
    const client = new V11Client(`http://127.0.0.1:${port}/`);
    await client.login('bench', 'bench');
    await client.meta();
    const idleKb = procStatusKb(pid, 'VmRSS');

    // The machine is shared: rounds interleave server and raw passes so both see the same load,
    // and the medians are reported.
    const rounds: Array<{ upload: number; download: number; rawUpload: number; rawDownload: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      started = performance.now();
      const answer = await client.fullUpload(collection);
      const upload = performance.now() - started;
      if (answer !== 'OK') throw new Error(`upload refused: ${answer}`);
      const rawUpload = await rawPass(collection, join(work, `raw-upload-${round}.anki2`));

      started = performance.now();
      await client.fullDownload(join(work, `downloaded-${round}.anki2`));
      const download = performance.now() - started;
      const rawDownload = await rawPass(collection, join(work, `raw-download-${round}.anki2`));
      rounds.push({ upload, download, rawUpload, rawDownload });
      for (const name of [`raw-upload-${round}.anki2`, `downloaded-${round}.anki2`, `raw-download-${round}.anki2`])
        rmSync(join(work, name), { force: true });
    }
    const peakKb = procStatusKb(pid, 'VmHWM');
    child.kill('SIGTERM');

    const med = (pick: (r: (typeof rounds)[number]) => number): number => median(rounds.map(pick));
    const uploadRatio = med((r) => r.upload / r.rawUpload);
    const downloadRatio = med((r) => r.download / r.rawDownload);
    console.log(`medians of ${ROUNDS} rounds:`);
    console.log(
      `full upload:   ${fmt(med((r) => r.upload))}   raw ${fmt(med((r) => r.rawUpload))}   ratio ${uploadRatio.toFixed(2)}× (target ≤ 1.5×)`,
    );
    console.log(
      `full download: ${fmt(med((r) => r.download))}   raw ${fmt(med((r) => r.rawDownload))}   ratio ${downloadRatio.toFixed(2)}× (target ≤ 1.3×)`,
    );
    console.log(
      `server RSS: idle ${(idleKb / 1024).toFixed(0)} MiB, peak ${(peakKb / 1024).toFixed(0)} MiB, peak above idle ${((peakKb - idleKb) / 1024).toFixed(0)} MiB (target ≤ 150 MiB)`,
    );
    await new Promise((resolve) => child.once('exit', resolve));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
