import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { BadRequestError } from '../../../../src-main/server/errors.js';
import {
  CHUNK_SIZE,
  chunkableIds,
  loadChunk,
  takeChunkIds,
  writeChunkRows,
} from '../../../../src-main/server/collection/sync-data/chunks.js';
import { fieldChecksum } from '../../../../src-main/server/collection/sync-data/note-fields.js';
import type { CardTuple } from '../../../../src-main/server/collection/sync-data/cards.js';
import type { NoteTuple } from '../../../../src-main/server/collection/sync-data/notes.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';

function withFixture(run: (db: Database.Database) => void): void {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  try {
    run(db);
  } finally {
    db.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
}

test('a chunk takes one id per list per pass from the ends, within a budget of 250', () => {
  const ids = { revlog: [1, 2, 3], notes: [10, 11], cards: [20, 21, 22, 23] };
  const taken = takeChunkIds(ids);
  assert.deepEqual(taken, { revlog: [3, 2, 1], notes: [11, 10], cards: [23, 22, 21, 20], done: true });
  assert.deepEqual(ids, { revlog: [], notes: [], cards: [] });
});

test('exactly 250 ids fill a chunk that is not done; the next one is empty and done', () => {
  const ids = { revlog: [] as number[], notes: [] as number[], cards: Array.from({ length: CHUNK_SIZE }, (_, i) => i) };
  const first = takeChunkIds(ids);
  assert.equal(first.cards.length, 250);
  assert.equal(first.done, false);
  assert.deepEqual(takeChunkIds(ids), { revlog: [], notes: [], cards: [], done: true });
});

test('a chunk holds at most 252 objects', () => {
  const list = () => Array.from({ length: 100 }, (_, i) => i);
  const taken = takeChunkIds({ revlog: list(), notes: list(), cards: list() });
  assert.equal(taken.revlog.length + taken.notes.length + taken.cards.length, 252);
  assert.equal(taken.done, false);
});

test('a client marks what it sends with the server usn; the server sends usns as stored', () => {
  withFixture((db) => {
    const ids = chunkableIds(db, -1);
    assert.deepEqual([ids.revlog.length, ids.cards.length, ids.notes.length], [8, 16, 16]);
    const chunk = loadChunk(db, takeChunkIds(ids), 7);
    assert.equal(chunk.done, true);
    assert.equal(chunk.cards!.length, 16);
    assert.ok(chunk.cards!.every((card) => card[5] === 7));
    assert.ok(chunk.notes!.every((note) => note[4] === 7 && note[7] === '' && note[8] === '' && note[9] === 0));
    assert.equal((db.prepare('SELECT count() AS n FROM cards WHERE usn = 7').get() as { n: number }).n, 16);
    const serverSide = chunkableIds(db, 7);
    const again = loadChunk(db, takeChunkIds(serverSide), null);
    assert.ok(again.revlog!.every((entry) => entry[2] === 7));
    assert.deepEqual(chunkableIds(db, 8), { revlog: [], cards: [], notes: [] });
  });
});

function someCard(db: Database.Database): CardTuple {
  return db
    .prepare(
      'SELECT id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data FROM cards LIMIT 1',
    )
    .raw()
    .get() as CardTuple;
}

test('cards: a pending local copy wins unless the incoming one is strictly newer', () => {
  withFixture((db) => {
    const card = someCard(db);
    const [id, , , , mod] = card;
    db.prepare('UPDATE cards SET usn = 5, due = 111 WHERE id = ?').run(id);
    const incoming = (due: number, mtime: number): CardTuple => {
      const copy = [...card] as CardTuple;
      copy[4] = mtime;
      copy[5] = 9;
      copy[8] = due;
      return copy;
    };
    const dueOf = () => (db.prepare('SELECT due FROM cards WHERE id = ?').get(id) as { due: number }).due;
    // Server side, client minUsn 5: the row is pending for this client.
    writeChunkRows(db, { done: true, cards: [incoming(222, mod)] }, 5);
    assert.equal(dueOf(), 111, 'a tie keeps the receiver copy');
    writeChunkRows(db, { done: true, cards: [incoming(333, mod + 1)] }, 5);
    assert.equal(dueOf(), 333, 'strictly newer wins');
    // Not pending (usn 9 < minUsn 10): overwritten even by an older copy.
    writeChunkRows(db, { done: true, cards: [incoming(444, mod - 100)] }, 10);
    assert.equal(dueOf(), 444);
    // Client side: usn 9 is not -1, so not pending.
    writeChunkRows(db, { done: true, cards: [incoming(555, mod - 200)] }, -1);
    assert.equal(dueOf(), 555);
    const newCard = incoming(1, 1);
    newCard[0] = 42;
    writeChunkRows(db, { done: true, cards: [newCard] }, -1);
    assert.equal((db.prepare('SELECT due FROM cards WHERE id = 42').get() as { due: number }).due, 1);
  });
});

test('revlog entries are inserted once and never updated', () => {
  withFixture((db) => {
    const entry = db.prepare('SELECT * FROM revlog LIMIT 1').raw().get() as number[];
    const changed = [...entry];
    changed[7] = 99999;
    writeChunkRows(db, { done: true, revlog: [changed as never, [1, 2, 3, 3, 1, -600, 2500, 100, 1]] }, -1);
    assert.equal((db.prepare('SELECT time FROM revlog WHERE id = ?').get(entry[0]) as { time: number }).time, entry[7]);
    assert.deepEqual(db.prepare('SELECT * FROM revlog WHERE id = 1').raw().get(), [1, 2, 3, 3, 1, -600, 2500, 100, 1]);
  });
});

function someNote(db: Database.Database): NoteTuple {
  const [id, guid, mid, mod, usn, tags, flds] = db.prepare('SELECT id, guid, mid, mod, usn, tags, flds FROM notes LIMIT 1').raw().get() as [
    number,
    string,
    number,
    number,
    number,
    string,
    string,
  ];
  return [id, guid, mid, mod, usn, tags, flds, '', '', 0, ''];
}

test('notes: derived columns are computed by the receiver', () => {
  withFixture((db) => {
    const note = someNote(db);
    note[0] = 77;
    note[5] = 'b  a';
    note[6] = '<b>12</b>\x01\x1fback';
    note[7] = 'sent sfld is ignored';
    note[8] = '123';
    note[9] = 5;
    note[10] = 'junk';
    writeChunkRows(db, { done: true, notes: [note] }, -1);
    const row = db.prepare('SELECT tags, flds, sfld, typeof(sfld) AS t, csum, flags, data FROM notes WHERE id = 77').get();
    assert.deepEqual(row, {
      tags: ' b a ',
      flds: '<b>12</b>\x1fback',
      sfld: 12,
      t: 'integer',
      csum: fieldChecksum('12'),
      flags: 0,
      data: '',
    });
  });
});

test('notes: the pending rule is the same as for cards', () => {
  withFixture((db) => {
    const note = someNote(db);
    db.prepare('UPDATE notes SET usn = 3 WHERE id = ?').run(note[0]);
    const fieldsOf = () => (db.prepare('SELECT flds FROM notes WHERE id = ?').get(note[0]) as { flds: string }).flds;
    const before = fieldsOf();
    writeChunkRows(db, { done: true, notes: [[...note.slice(0, 6), 'x\x1fy', ...note.slice(7)] as NoteTuple] }, 3);
    assert.equal(fieldsOf(), before, 'tie: receiver keeps its pending copy');
    const newer = [...note] as NoteTuple;
    newer[3] += 1;
    newer[6] = 'x\x1fy';
    writeChunkRows(db, { done: true, notes: [newer] }, 3);
    assert.equal(fieldsOf(), 'x\x1fy');
  });
});

test('notes: an unknown notetype or a wrong field count is refused', () => {
  withFixture((db) => {
    const note = someNote(db);
    note[0] = 78;
    const missing = [...note] as NoteTuple;
    missing[2] = 999;
    assert.throws(() => writeChunkRows(db, { done: true, notes: [missing] }, -1), BadRequestError);
    const threeFields = [...note] as NoteTuple;
    threeFields[6] = 'a\x1fb\x1fc';
    assert.throws(() => writeChunkRows(db, { done: true, notes: [threeFields] }, -1), BadRequestError);
    assert.equal(db.prepare('SELECT 1 FROM notes WHERE id = 78').get(), undefined);
  });
});
