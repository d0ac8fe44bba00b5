// Folding the WAL before a download must not wait for our own readers (a
// snapshot being compressed, a download being sent), which can hold the WAL for
// seconds: SQLite's busy timeout made a legacy download just after a sync stall
// for the full 5 s before it fell back. The reader here is held in a worker,
// with our connection's busy timeout at a minute: a checkpoint that waits sees
// the reader end (after 3 s) and then succeeds; one that does not wait returns
// while the reader still holds, and uses the fallback: a copy of the file and its
// WAL, folded on the copy (the image in memory only where there is no room for
// that copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { collectionImage } from '../../../src-main/server/storage/collection-image.js';
import { copyCollection } from '../../../src-main/server/storage/schema/downgrade.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { holdReadTransaction } from '../../support/held-reader.js';
import { SmallDisk, smallDiskUnavailable } from '../../support/small-disk.js';

const HOLD_MS = 3000;

/** A collection in WAL mode with commits still in its WAL, open with a busy timeout of a minute. */
function collectionWithWalFrames(t: { after(fn: () => void): void }): { db: Database.Database; path: string } {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  t.after(() => rmSync(dirname(path), { recursive: true, force: true }));
  const db = openDatabase(path, { timeout: 60_000 });
  t.after(() => db.close());
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  // Free pages, which a copy of the file keeps and VACUUM INTO leaves out: they tell the two apart.
  db.exec('CREATE TABLE filler (x); INSERT INTO filler VALUES (zeroblob(200000)); DROP TABLE filler;');
  db.prepare('UPDATE col SET mod = mod + 1').run();
  return { db, path };
}

test('a download image does not wait for another reader of the WAL: with no place for a copy, it is made in memory while the reader still holds', async (t) => {
  const { db, path } = collectionWithWalFrames(t);
  const reader = await holdReadTransaction(path, HOLD_MS);
  try {
    const image = collectionImage(db, path, { exclusive: false });
    assert.ok(reader.holding(), 'the image was made without waiting for the reader to end');
    assert.equal(image.kind, 'memory');
  } finally {
    await reader.release();
  }
  // With the reader gone, the file itself is the image again.
  const image = collectionImage(db, path, { exclusive: false });
  assert.equal(image.kind, 'file');
  if (image.kind === 'file') image.release();
});

test('while another reader holds the WAL, the image is a folded copy on disk, not the collection in memory, and the copy goes with it', async (t) => {
  const { db, path } = collectionWithWalFrames(t);
  const scratch = join(dirname(path), 'image-scratch.tmp');
  const reader = await holdReadTransaction(path, HOLD_MS);
  try {
    const image = collectionImage(db, path, { exclusive: false, scratchPath: () => scratch });
    assert.ok(reader.holding(), 'the image was made without waiting for the reader to end');
    assert.equal(image.kind, 'file');
    if (image.kind !== 'file') return;
    try {
      assert.ok(!existsSync(`${scratch}-wal`), 'the copy holds its WAL in itself');
      const sent = readFileSync(`/proc/self/fd/${image.fd}`);
      assert.equal(sent.length, image.size);
      // Opened from memory, which cannot take WAL mode: the header's journal bytes set to the rollback journal.
      sent[18] = 1;
      sent[19] = 1;
      const copied = openDatabase(sent);
      try {
        assert.equal(copied.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
        assert.equal(copied.prepare('SELECT mod FROM col').pluck().get(), db.prepare('SELECT mod FROM col').pluck().get());
        assert.equal(copied.prepare('SELECT count(*) FROM notes').pluck().get(), db.prepare('SELECT count(*) FROM notes').pluck().get());
        assert.ok(Number(copied.pragma('freelist_count', { simple: true })) > 0, 'the file copied, not rebuilt');
      } finally {
        copied.close();
      }
    } finally {
      image.release();
    }
    assert.deepEqual(
      readdirSync(dirname(path)).filter((name) => name.startsWith('image-scratch')),
      [],
      'the copy is removed once the image is released',
    );
  } finally {
    await reader.release();
  }
});

test(
  'with room for the copy but not twice over, the image is made in memory and nothing is left on that disk',
  { skip: smallDiskUnavailable() ?? false },
  async (t) => {
    const { db, path } = collectionWithWalFrames(t);
    const disk = SmallDisk.mount(8).removeAfter(t);
    const copyBytes = statSync(path).size + statSync(`${path}-wal`).size;
    await disk.fill(Math.trunc(copyBytes * 1.9));
    const reader = await holdReadTransaction(path, HOLD_MS);
    try {
      const image = collectionImage(db, path, { exclusive: false, scratchPath: () => join(disk.root, 'image-scratch.tmp') });
      assert.ok(reader.holding());
      assert.equal(image.kind, 'memory');
      assert.deepEqual(
        readdirSync(disk.root).filter((name) => name !== '.filler'),
        [],
      );
    } finally {
      await reader.release();
    }
  },
);

test('a legacy download copy does not wait for another reader: the file and its WAL are copied while the reader still holds', async (t) => {
  const { db, path } = collectionWithWalFrames(t);
  const expectedNotes = db.prepare('SELECT count(*) FROM notes').pluck().get();
  const reader = await holdReadTransaction(path, HOLD_MS);
  const copy = join(dirname(path), 'copy.anki2');
  try {
    copyCollection(db, copy);
    assert.ok(reader.holding(), 'the copy was made without waiting for the reader to end');
    assert.ok(!existsSync(`${copy}-wal`), 'the copy holds its WAL in itself');
  } finally {
    await reader.release();
  }
  const copied = openDatabase(copy, { readonly: true });
  try {
    assert.equal(copied.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    assert.ok(Number(copied.pragma('freelist_count', { simple: true })) > 0, 'a copy of the file, not a rebuild by VACUUM INTO');
    assert.equal(copied.prepare('SELECT count(*) FROM notes').pluck().get(), expectedNotes);
    assert.equal(copied.prepare('SELECT mod FROM col').pluck().get(), db.prepare('SELECT mod FROM col').pluck().get());
  } finally {
    copied.close();
  }
});

test('the connection keeps its busy timeout after such a checkpoint', (t) => {
  const { db } = collectionWithWalFrames(t);
  const image = collectionImage(db, db.name, { exclusive: false });
  if (image.kind === 'file') image.release();
  assert.equal(Number(db.pragma('busy_timeout', { simple: true })), 60_000);
});
