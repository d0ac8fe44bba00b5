// Media sync through a real server in its own process: a device uploads N files
// of 20–200 KB, a second device downloads them, both running the reference
// client's algorithm over v11 HTTP. Against the raw cost of the same bytes in the
// same run: sha1 + write (+ fdatasync, which the server does so that a committed
// row never names a file lost to a power cut) for uploads, read + zip for
// downloads. Peak RSS of the server at two sizes shows whether memory grows with N.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import yauzl from 'yauzl';
import { MediaStore, userPaths } from '../src-main/server/index.js';
import { createMediaDevice, v11MediaTransport } from '../test/support/media-server.js';
import { storedUploadZip } from '../test/support/media-zips.js';
import { plainUser } from '../test/support/test-server.js';
import { median } from './support/median.js';
import { makeTempFolder } from '../test/support/temp-folder.js';

const TARGET_ZIP_BYTES = Math.trunc(2.5 * 1024 * 1024);
// The two devices' media folders live in memory when the machine has a tmpfs:
// creating 5,000 files costs this machine's disk anything from 0.1 to 4 s, and
// that is the test client's disk, not the server's. The server's folder, and
// every raw baseline's output, stay on the real disk.
const clientDisk = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const serverScript = fileURLToPath(new URL('./support/media-bench-server.js', import.meta.url));
const floorScript = fileURLToPath(new URL('./support/media-floor-server.js', import.meta.url));

interface Run {
  files: number;
  bytes: number;
  uploadMs: number;
  downloadMs: number;
  uploadServerCpuMs: number;
  downloadServerCpuMs: number;
  rawWriteMs: number;
  rawWriteSyncMs: number;
  rawUnzipWriteSyncMs: number;
  rawZipMs: number;
  /** The same upload against a server that only decodes each request and answers (media-floor-server.ts). */
  floorUploadMs: number;
  storeUploadMs: number;
  storeDownloadMs: number;
  peakRssAfterUpload: number;
  peakRssAfterDownload: number;
}

/** Lets the kernel write back dirty pages now, so one phase does not pay for the last one's writes. */
function flushDisk(): void {
  spawnSync('sync');
}

/** User + system CPU the process has used, in ms (Linux clock ticks are 1/100 s). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function startServer(script: string, ...args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function run(files: number): Promise<Run> {
  const work = makeTempFolder('ahs-media-bench-');
  const devices = makeTempFolder('ahs-media-bench-devices-', clientDisk);
  try {
    const base = join(work, 'base');
    const { child, port } = await startServer(serverScript, base);
    const baseUrl = `http://127.0.0.1:${port}/`;
    const hostKey = plainUser('bench', 'bench').hostKey;
    const uploader = createMediaDevice(v11MediaTransport(baseUrl, hostKey), 'up-', devices);
    const downloader = createMediaDevice(v11MediaTransport(baseUrl, hostKey), 'down-', devices);
    let bytes = 0;
    for (let i = 0; i < files; i++) {
      const data = randomBytes(randomInt(20_000, 200_001));
      bytes += data.length;
      uploader.addFile(`media ${String(i).padStart(5, '0')}.jpg`, data);
    }
    uploader.registerChanges(); // the client's folder scan is not the server's work
    const names = readdirSync(uploader.folder).sort();
    const floorMs = await floorUpload(uploader.folder, names, devices);

    // Each raw baseline runs just before the phase it is compared with: this
    // disk's speed drifts by 2-3x within a minute, so far apart they would
    // compare two different disks.
    flushDisk();
    const rawWriteMs = rawSha1AndWrite(uploader.folder, names, join(work, 'raw-write'), false);
    flushDisk();
    const rawWriteSyncMs = rawSha1AndWrite(uploader.folder, names, join(work, 'raw-write-sync'), true);
    flushDisk();
    const rawUnzipWriteSyncMs = await rawUnzipSha1AndWrite(uploader.folder, names, join(work, 'raw-unzip-write-sync'));
    flushDisk();
    let cpu = cpuMs(child.pid!);
    let start = performance.now();
    await uploader.sync();
    const uploadMs = performance.now() - start;
    const uploadServerCpuMs = cpuMs(child.pid!) - cpu;
    const peakRssAfterUpload = peakRss(child.pid!);

    flushDisk();
    // The files as the server stores them, on the server's disk.
    const rawZipMs = await rawReadAndZip(userPaths(base, 'bench').mediaFolder, names);
    flushDisk();
    cpu = cpuMs(child.pid!);
    start = performance.now();
    const report = await downloader.sync();
    const downloadMs = performance.now() - start;
    const downloadServerCpuMs = cpuMs(child.pid!) - cpu;
    const peakRssAfterDownload = peakRss(child.pid!);
    if (report.downloaded.length !== files) throw new Error(`downloaded ${report.downloaded.length} of ${files}`);
    await stopServer(child);

    flushDisk();
    const { storeUploadMs, storeDownloadMs } = await storeAlone(uploader.folder, names, join(work, 'store-alone'));

    uploader.remove();
    downloader.remove();
    return {
      files,
      bytes,
      uploadMs,
      downloadMs,
      uploadServerCpuMs,
      downloadServerCpuMs,
      rawWriteMs,
      rawWriteSyncMs,
      rawUnzipWriteSyncMs,
      rawZipMs,
      floorUploadMs: floorMs,
      storeUploadMs,
      storeDownloadMs,
      peakRssAfterUpload,
      peakRssAfterDownload,
    };
  } finally {
    leftovers.push(work);
    rmSync(devices, { recursive: true, force: true });
  }
}

/**
 * The server's folders of every round, removed only after the last round. This
 * disk is ext4 without a journal, which skips each inode freed in the last
 * minute or so, one by one, whenever it creates a file: removing a round's
 * files (five for each file uploaded: the server's, the store-alone run's and
 * three raw baselines') would make the next round's file creations pay for
 * them (about a quarter of the server's samples in a profile). A server does not start a sync
 * just after deleting that many files; the bench should not either.
 */
const leftovers: string[] = [];
process.on('exit', () => {
  for (const folder of leftovers) rmSync(folder, { recursive: true, force: true });
});

/**
 * The upload's exchange alone: a device holding the same files (hard links)
 * uploads them, with the same client, to media-floor-server.ts, which decodes
 * each request and answers without storing anything. What a server adds on top
 * of this, if it stores each batch only once its body has arrived (the client
 * waits for each answer), is its storing.
 */
async function floorUpload(from: string, names: string[], devices: string): Promise<number> {
  const { child, port } = await startServer(floorScript);
  const device = createMediaDevice(v11MediaTransport(`http://127.0.0.1:${port}/`, 'floor'), 'floor-', devices);
  try {
    for (const name of names) linkSync(join(from, name), join(device.folder, name));
    device.registerChanges();
    const start = performance.now();
    const report = await device.sync();
    const elapsed = performance.now() - start;
    const sent = report.uploadReplies.reduce((sum, reply) => sum + reply.processed, 0);
    if (sent !== names.length) throw new Error(`the floor upload sent ${sent} of ${names.length}`);
    return elapsed;
  } finally {
    device.remove();
    await stopServer(child);
  }
}

/** Groups of ≤ 25 files, each ending with the file that takes it past 2.5 MiB, as clients batch them. */
function clientBatches(from: string, names: string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < names.length;) {
    const batch: string[] = [];
    let total = 0;
    while (i < names.length && batch.length < 25 && total <= TARGET_ZIP_BYTES) {
      total += statSync(join(from, names[i]!)).size;
      batch.push(names[i++]!);
    }
    batches.push(batch);
  }
  return batches;
}

/**
 * The media store alone, in this process, with the zips built beforehand: the
 * server's own share of the work, without HTTP, zstd or the client.
 */
async function storeAlone(from: string, names: string[], folder: string): Promise<{ storeUploadMs: number; storeDownloadMs: number }> {
  const batches = clientBatches(from, names);
  const zips: Buffer[] = [];
  for (const batch of batches) zips.push(storedUploadZip(batch.map((name) => [name, readFileSync(join(from, name))] as const)));
  const store = MediaStore.open(userPaths(folder, 'bench'));
  try {
    flushDisk();
    let start = performance.now();
    for (const zip of zips) await store.uploadChanges(zip);
    const storeUploadMs = performance.now() - start;
    flushDisk();
    start = performance.now();
    for (const batch of batches) await store.downloadFiles(batch);
    return { storeUploadMs, storeDownloadMs: performance.now() - start };
  } finally {
    store.close();
  }
}

/** What storing the uploaded bytes costs at the least: hash and write each file (reading the source is not timed). */
function rawSha1AndWrite(from: string, names: string[], to: string, durable: boolean): number {
  mkdirSync(to);
  let elapsed = 0;
  for (const name of names) {
    const data = readFileSync(join(from, name));
    const start = performance.now();
    createHash('sha1').update(data).digest();
    const fd = openSync(join(to, name), 'w');
    writeSync(fd, data);
    if (durable) fdatasyncSync(fd);
    closeSync(fd);
    elapsed += performance.now() - start;
  }
  return elapsed;
}

/**
 * The same with the zip read as the server gets it: the client's zips (built
 * beforehand, not timed) are parsed, each member inflated (the clients store
 * them: no inflating to do), hashed, written and fdatasync'd.
 */
async function rawUnzipSha1AndWrite(from: string, names: string[], to: string): Promise<number> {
  mkdirSync(to);
  const zips: Buffer[] = [];
  for (const batch of clientBatches(from, names))
    zips.push(storedUploadZip(batch.map((name) => [name, readFileSync(join(from, name))] as const)));
  const start = performance.now();
  for (const zip of zips) {
    const archive = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
    );
    await new Promise<void>((resolve, reject) => {
      archive.on('entry', (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            if (entry.fileName !== '_meta') {
              createHash('sha1').update(data).digest();
              const fd = openSync(join(to, entry.fileName), 'w');
              writeSync(fd, data);
              fdatasyncSync(fd);
              closeSync(fd);
            }
            archive.readEntry();
          });
        });
      });
      archive.on('end', resolve);
      archive.on('error', reject);
      archive.readEntry();
    });
  }
  return performance.now() - start;
}

/** What serving the files costs at the least: read them and zip them (yazl, stored) in 2.5 MiB groups of ≤ 25. */
async function rawReadAndZip(from: string, names: string[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < names.length;) {
    const zip = new yazl.ZipFile();
    let total = 0;
    let count = 0;
    while (i < names.length && count < 25 && total <= TARGET_ZIP_BYTES) {
      const data = await readFile(join(from, names[i]!));
      zip.addBuffer(data, String(count), { compress: false });
      total += data.length;
      count++;
      i++;
    }
    zip.addBuffer(Buffer.from('{}'), '_meta', { compress: false });
    await new Promise<void>((resolve, reject) => {
      zip.outputStream.on('data', () => {});
      zip.outputStream.on('end', resolve);
      zip.outputStream.on('error', reject);
      zip.end();
    });
  }
  return performance.now() - start;
}

const mb = (bytes: number) => bytes / 1e6;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

console.log(
  `load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (wall times are only as steady as the machine)`,
);

function report(r: Run, label: string): void {
  console.log(`\n${label}: ${r.files} files, ${fmt(mb(r.bytes))} MB`);
  console.log(
    `  upload    ${fmt(r.uploadMs / 1000, 2)} s  ${fmt(mb(r.bytes) / (r.uploadMs / 1000))} MB/s` +
      `   raw sha1+write+fdatasync ${fmt(r.rawWriteSyncMs / 1000, 2)} s (ratio ${fmt(r.uploadMs / r.rawWriteSyncMs, 2)})` +
      `   raw sha1+write ${fmt(r.rawWriteMs / 1000, 2)} s (ratio ${fmt(r.uploadMs / r.rawWriteMs, 2)})`,
  );
  console.log(
    `            raw zip read+sha1+write+fdatasync ${fmt(r.rawUnzipWriteSyncMs / 1000, 2)} s (ratio ${fmt(r.uploadMs / r.rawUnzipWriteSyncMs, 2)})`,
  );
  console.log(
    `            exchange alone (same client, a server that only decodes and answers) ${fmt(r.floorUploadMs / 1000, 2)} s ` +
      `(${fmt(r.floorUploadMs / r.rawUnzipWriteSyncMs, 2)} of the zip baseline)`,
  );
  console.log(
    `            server CPU ${fmt(r.uploadServerCpuMs / 1000, 2)} s; media store alone ${fmt(r.storeUploadMs / 1000, 2)} s ` +
      `(ratio ${fmt(r.storeUploadMs / r.rawWriteSyncMs, 2)} to sha1+write+fdatasync)`,
  );
  console.log(
    `  download  ${fmt(r.downloadMs / 1000, 2)} s  ${fmt(mb(r.bytes) / (r.downloadMs / 1000))} MB/s` +
      `   raw read+zip ${fmt(r.rawZipMs / 1000, 2)} s (ratio ${fmt(r.downloadMs / r.rawZipMs, 2)})`,
  );
  console.log(
    `            server CPU ${fmt(r.downloadServerCpuMs / 1000, 2)} s; media store alone ${fmt(r.storeDownloadMs / 1000, 2)} s ` +
      `(ratio ${fmt(r.storeDownloadMs / r.rawZipMs, 2)} to read+zip)`,
  );
  console.log(`  server peak RSS  after upload ${fmt(mb(r.peakRssAfterUpload))} MB, after download ${fmt(mb(r.peakRssAfterDownload))} MB`);
}

console.log(
  'the test client keeps one request on the wire at a time, in the reference order; it reads and zips its next batch, ' +
    'or writes the files of the last one, while the server handles the current request',
);
// `node dist/bench/run.js media-sync [files] [rounds]`: a smaller run while working on one row.
const FILES = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 3);
const small = await run(Math.min(1000, FILES));
report(small, 'one round, for the memory comparison');
const rounds: Run[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const r = await run(FILES);
  report(r, `round ${round} of ${ROUNDS}`);
  rounds.push(r);
}
const m = (pick: (r: Run) => number) => median(rounds.map(pick));
console.log(`\n${FILES} files, median of ${ROUNDS} rounds (each ratio is taken within its round, against the raw run just before it):`);
console.log(
  `  upload    ${fmt(m((r) => r.uploadMs) / 1000, 2)} s  ${fmt(m((r) => mb(r.bytes) / (r.uploadMs / 1000)))} MB/s` +
    `   ${fmt(
      m((r) => r.uploadMs / r.rawWriteSyncMs),
      2,
    )}x raw sha1+write+fdatasync (target <= 2x)` +
    `   ${fmt(
      m((r) => r.uploadMs / r.rawWriteMs),
      2,
    )}x raw sha1+write without the flush` +
    `   ${fmt(
      m((r) => r.uploadMs / r.rawUnzipWriteSyncMs),
      2,
    )}x raw zip read+sha1+write+fdatasync (target <= 1.3x)`,
);
console.log(
  `            the exchange alone is ${fmt(
    m((r) => r.floorUploadMs / r.rawUnzipWriteSyncMs),
    2,
  )}x that zip baseline: a server that stores at the baseline's speed once each body has arrived ` +
    `would stand at ${fmt(
      m((r) => 1 + r.floorUploadMs / r.rawUnzipWriteSyncMs),
      2,
    )}x`,
);
console.log(
  `  download  ${fmt(m((r) => r.downloadMs) / 1000, 2)} s  ${fmt(m((r) => mb(r.bytes) / (r.downloadMs / 1000)))} MB/s` +
    `   ${fmt(
      m((r) => r.downloadMs / r.rawZipMs),
      2,
    )}x raw read+zip (target <= 2x)`,
);
const large = rounds.at(-1)!;
console.log(
  `peak RSS ${fmt(mb(small.peakRssAfterDownload))} MB at ${small.files} files vs ${fmt(mb(large.peakRssAfterDownload))} MB at ${large.files} files` +
    ` (ratio ${fmt(large.peakRssAfterDownload / small.peakRssAfterDownload, 2)})`,
);
