// "Download my collection" (issue 24 §3): exportCollectionPackage of a
// collection with 5,000 media files, against the raw cost of the same files in
// the same run: each read and put in a stored zip written to disk and fsynced
// (yazl, as the export uses), with no hashing and no compression. The export
// also copies the collection (VACUUM INTO, in a worker), hashes every file
// with SHA-1 and zstd-compresses it (the Latest form), so the target is
// export ≤ 2× raw. The Legacy1 form (files stored raw, the collection
// deflated) is timed too. Rounds alternate, and the median of each is kept.
//   node dist/bench/run.js export [files] [minKiB] [maxKiB]
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { exportCollectionPackage } from '../src-main/server/index.js';
import { REAL_ANKI_FIXTURES } from '../test/support/fixture-paths.js';
import { makeTempFolder } from '../test/support/temp-folder.js';
import { median } from './support/median.js';

const FILES = Number(process.argv[2] ?? 5000);
const MIN_KIB = Number(process.argv[3] ?? 4);
const MAX_KIB = Number(process.argv[4] ?? 64);
const ROUNDS = 3;

/** Lets the kernel write back dirty pages now, so one phase does not pay for the last one's writes. */
function flushDisk(): void {
  spawnSync('sync');
}

/**
 * The raw baseline: the collection file and every media file read and zipped,
 * stored, then fsynced. One file at a time (read whole, then added), as the
 * export takes them: yazl's addFile for 5,000 files at once stats and opens
 * them all together, which is slower, not a fairer floor.
 */
async function rawReadAndZip(collection: string, media: readonly { name: string; path: string }[], out: string): Promise<number> {
  const start = performance.now();
  const zip = new yazl.ZipFile();
  // `flush`: fsynced before it closes, as the export's package is.
  const written = pipeline(zip.outputStream, createWriteStream(out, { flush: true }));
  zip.addFile(collection, 'collection', { compress: false });
  for (const [index, entry] of media.entries()) {
    const stream = Readable.from([await readFile(entry.path)]);
    zip.addReadStream(stream, String(index), { compress: false });
    await finished(stream);
  }
  zip.end();
  await written;
  return performance.now() - start;
}

async function timedExport(
  collection: string,
  media: readonly { name: string; path: string }[],
  out: string,
  legacy: boolean,
): Promise<number> {
  const start = performance.now();
  await exportCollectionPackage({ collection, media }, out, { legacy });
  return performance.now() - start;
}

const folder = makeTempFolder('ahs-bench-export-');
const mediaFolder = join(folder, 'media');
mkdirSync(mediaFolder);
const collection = join(folder, 'collection.anki2');
copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), collection);
// Media as learners have it: mostly images and audio, already compressed (random bytes), a few text-like (SVG, HTML).
let bytes = 0;
const media = Array.from({ length: FILES }, (_, index) => {
  const size = randomInt(MIN_KIB * 1024, MAX_KIB * 1024 + 1);
  const data =
    index % 10 === 0
      ? Buffer.from('<svg><path d="M0 0 L10 10"/></svg>\n'.repeat(Math.ceil(size / 36))).subarray(0, size)
      : randomBytes(size);
  const name = `media-${index}${index % 10 === 0 ? '.svg' : '.jpg'}`;
  writeFileSync(join(mediaFolder, name), data);
  bytes += size;
  return { name, path: join(mediaFolder, name) };
});
flushDisk();

console.log(
  `load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (wall times are only as steady as the machine)`,
);
console.log(`${FILES} media files of ${MIN_KIB}–${MAX_KIB} KiB, ${(bytes / 1e6).toFixed(1)} MB, and a 16-note collection`);

// One untimed pass of each, so every file is in the page cache for all of them alike.
const outs = { raw: join(folder, 'raw.zip'), latest: join(folder, 'latest.colpkg'), legacy: join(folder, 'legacy.colpkg') };
await rawReadAndZip(collection, media, outs.raw);
await timedExport(collection, media, outs.latest, false);
const times = { raw: [] as number[], latest: [] as number[], legacy: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ['raw', 'latest', 'legacy'] as const) {
    rmSync(outs[kind], { force: true });
    flushDisk();
    times[kind].push(
      kind === 'raw'
        ? await rawReadAndZip(collection, media, outs[kind])
        : await timedExport(collection, media, outs[kind], kind === 'legacy'),
    );
  }
}
const raw = median(times.raw);
const latest = median(times.latest);
const legacy = median(times.legacy);
const size = (path: string) => (statSync(path).size / 1e6).toFixed(1);
console.log(`raw read + zip (stored) + fsync: ${raw.toFixed(0)} ms → ${size(outs.raw)} MB`);
console.log(
  `export, Latest (sha1 + zstd):     ${latest.toFixed(0)} ms → ${size(outs.latest)} MB   ratio ${(latest / raw).toFixed(2)}× (target ≤ 2×)`,
);
console.log(`export, Legacy1 (sha1, raw):      ${legacy.toFixed(0)} ms → ${size(outs.legacy)} MB   ratio ${(legacy / raw).toFixed(2)}×`);
// No peak RSS here: the baseline's own buffers would be counted with the export's. The export's memory is
// tested on its own, in a child process (test/server/storage/export/export-memory.e2e.test.ts).
