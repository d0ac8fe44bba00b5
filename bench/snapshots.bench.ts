// `npm run bench` — snapshots (issue 24): a snapshot of the 108 MiB bench
// collection through the running server (lock, read image, counts, media list,
// zstd in the worker, fsync, rename, prune) against a raw copy of the file plus
// zstd at the same level in this same run (target ≤ 1.5×); and another
// account's small sync, its median while a snapshot runs against idle (target
// ≤ 1.2×). The machine is shared: ratios only, from one run.
import { closeSync, copyFileSync, openSync, fstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { compressToFile, SNAPSHOT_ZSTD_LEVEL } from '../src-main/server/index.js';
import { REAL_ANKI_FIXTURES } from '../test/support/real-anki-fixtures.js';
import { SyncHarness } from '../test/support/normal-sync-harness.js';
import { plainUser } from '../test/support/test-server.js';
import { makeTempFolder } from '../test/support/temp-folder.js';
import { buildBigCollection } from './support/big-collection.js';
import { median } from './support/median.js';

const MB = 1024 * 1024;
const ROUNDS = 3;
const SMALL_SYNCS = 25;
const BIG = plainUser('big', 'big password');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A raw copy of the file, then zstd of the copy at the snapshot's level (fsynced, as a snapshot is). */
function rawCopyAndZstd(collection: string, work: string): number {
  const copy = join(work, 'raw-copy.anki2');
  const compressed = join(work, 'raw-copy.anki2.zst');
  const started = performance.now();
  copyFileSync(collection, copy);
  const fd = openSync(copy, 'r');
  try {
    compressToFile({ fd, size: fstatSync(fd).size }, compressed, SNAPSHOT_ZSTD_LEVEL);
  } finally {
    closeSync(fd);
  }
  const elapsed = performance.now() - started;
  rmSync(copy, { force: true });
  rmSync(compressed, { force: true });
  return elapsed;
}

async function main(): Promise<void> {
  const work = makeTempFolder('ahs-bench-snapshots-');
  const harness = await SyncHarness.start({ kind: 'v11' }, { users: [BIG], config: { snapshotMinutes: 'off' } });
  try {
    const collection = join(work, 'big.anki2');
    buildBigCollection(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), collection, {
      notes: 50_000,
      revlog: 500_000,
      fieldChars: 1_250,
    });
    copyFileSync(collection, harness.server.paths(BIG.name).collection);
    const big = harness.server.server.snapshots(BIG.name);
    console.log(
      `collection: ${(fstatSize(collection) / MB).toFixed(1)} MiB; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );

    // 1. A snapshot against a raw copy plus zstd, alternated, medians.
    await big.take(); // warm: the account's files opened, the worker's code loaded once
    const snapshotMs: number[] = [];
    const rawMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawMs.push(rawCopyAndZstd(collection, work));
      const started = performance.now();
      await big.take();
      snapshotMs.push(performance.now() - started);
    }
    const entry = (await big.list())[0]!;
    console.log(
      `snapshot ${seconds(median(snapshotMs))} (${(entry.bytes / MB).toFixed(1)} MiB on disk), raw copy + zstd ${seconds(median(rawMs))}`,
    );
    console.log(
      `snapshot / (raw copy + zstd -${SNAPSHOT_ZSTD_LEVEL}): ${(median(snapshotMs) / median(rawMs)).toFixed(2)}×  (target ≤ 1.5×)`,
    );

    // 2. Another account's small sync (one new note), idle and while snapshots of the big account run.
    const device = harness.device();
    if ((await harness.fullUpload(device)) !== 'OK') throw new Error('the small account did not upload');
    const smallSync = async (): Promise<number> => {
      device.addNote({ fields: [`note ${performance.now()}`, 'back'] });
      const started = performance.now();
      await harness.sync(device);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) await smallSync();
    // Idle and busy rounds alternate, so that the shared machine's load weighs on both alike.
    const idle: number[] = [];
    const busy: number[] = [];
    while (busy.length < SMALL_SYNCS || idle.length < SMALL_SYNCS) {
      for (let i = 0; i < 8; i++) idle.push(await smallSync());
      let running = true;
      const snapshot = big.take().finally(() => (running = false));
      while (running) busy.push(await smallSync());
      await snapshot;
    }
    console.log(
      `small sync of another account: p50 idle ${median(idle).toFixed(1)} ms, while a snapshot runs ${median(busy).toFixed(1)} ms (${busy.length} syncs)`,
    );
    console.log(`small sync p50, during a snapshot / idle: ${(median(busy) / median(idle)).toFixed(2)}×  (target ≤ 1.2×)`);
  } finally {
    await harness.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function fstatSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

await main();
