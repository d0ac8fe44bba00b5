// Listing an account's snapshots from their files (storage/snapshots/snapshot-folder.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSnapshots, snapshotFiles } from '../../../src-main/server/storage/snapshots/snapshot-folder.js';
import { makeTempFolder } from '../../support/temp-folder.js';

const ID = '20261207-100529-124-before-full-upload-n16-c16-r8';

test('a kept collection compressed between the listing and the reading of its size is still listed, compressed', async (t) => {
  // The window's listing met this in a CI run: the folder was listed while the kept collection was raw
  // (`<id>.anki2`), then its compression put `<id>.anki2.zst` in place and removed the raw form.
  const folder = makeTempFolder('ahs-snapshot-folder-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const folders = { snapshots: join(folder, 'snapshots'), backups: join(folder, 'backups') };
  mkdirSync(folders.snapshots);
  writeFileSync(join(folders.snapshots, `${ID}.anki2.zst`), Buffer.alloc(600, 1));
  writeFileSync(join(folders.snapshots, `${ID}.media.zst`), Buffer.alloc(40, 2));
  const listedWhileRaw = [`${ID}.media.zst`, `${ID}.anki2`];
  const [described, ...rest] = await describeSnapshots(folders, listedWhileRaw, []);
  assert.deepEqual(rest, []);
  assert.equal(described?.entry.id, ID, 'the snapshot is not skipped');
  assert.equal(described.compressed, true);
  assert.equal(described.collection, join(folders.snapshots, `${ID}.anki2.zst`));
  assert.equal(described.entry.bytes, 640, 'its size is the compressed file and its media list');
  assert.deepEqual(await snapshotFiles(folders), [described], 'as a listing made now says');
});

test('a raw collection removed between the listing and the reading of its size, with nothing in its place, is left out', async (t) => {
  const folder = makeTempFolder('ahs-snapshot-folder-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const folders = { snapshots: join(folder, 'snapshots'), backups: join(folder, 'backups') };
  mkdirSync(folders.snapshots);
  assert.deepEqual(await describeSnapshots(folders, [`${ID}.anki2`], []), []);
});
