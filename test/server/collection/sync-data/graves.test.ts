import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import {
  applyGraves,
  applyGravesInTurns,
  GRAVES_PER_CHUNK,
  pendingGraves,
} from '../../../../src-main/server/collection/sync-data/graves.js';
import { markPendingGravesSent, takeGravesChunk } from '../../../support/client-graves.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';

test('applying graves deletes rows and records each grave once, keeping an existing usn', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  try {
    const [cid, nid] = db.prepare('SELECT id, nid FROM cards LIMIT 1').raw().get() as [number, number];
    applyGraves(db, { cards: [cid, 12345], notes: [nid], decks: [] }, 4);
    assert.equal(db.prepare('SELECT 1 FROM cards WHERE id = ?').get(cid), undefined);
    assert.equal(db.prepare('SELECT 1 FROM notes WHERE id = ?').get(nid), undefined);
    applyGraves(db, { cards: [cid], notes: [], decks: [] }, 6);
    assert.deepEqual(
      db.prepare('SELECT oid, type, usn FROM graves ORDER BY oid').raw().all(),
      [
        [12345, 0, 4],
        [nid, 1, 4],
        [cid, 0, 4],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    assert.deepEqual(pendingGraves(db, 4), { cards: [12345, cid].sort((a, b) => a - b), notes: [nid], decks: [] });
    assert.deepEqual(pendingGraves(db, 5), { cards: [], notes: [], decks: [] });
    db.prepare('INSERT INTO graves (oid, type, usn) VALUES (7, 2, -1)').run();
    assert.deepEqual(pendingGraves(db, -1), { cards: [], notes: [], decks: [7] });
    markPendingGravesSent(db, 9);
    assert.deepEqual(pendingGraves(db, -1), { cards: [], notes: [], decks: [] });
    assert.deepEqual(pendingGraves(db, 9), { cards: [], notes: [], decks: [7] });
  } finally {
    db.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test('graves are sent cards first, then notes, then decks, 250 ids at a time', () => {
  const graves = {
    cards: Array.from({ length: 200 }, (_, i) => i),
    notes: Array.from({ length: 100 }, (_, i) => 1000 + i),
    decks: [5000],
  };
  const first = takeGravesChunk(graves)!;
  assert.equal(first.cards.length, 200);
  assert.equal(first.notes.length, GRAVES_PER_CHUNK - 200);
  assert.equal(first.cards[0], 199);
  assert.deepEqual(first.decks, []);
  const second = takeGravesChunk(graves)!;
  assert.deepEqual([second.cards.length, second.notes.length, second.decks], [0, 50, [5000]]);
  assert.equal(takeGravesChunk(graves), null);
});

test('a long list of graves is applied in turns of the event loop, with the same result', async () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  try {
    const cards = db.prepare('SELECT id FROM cards').pluck().all() as number[];
    const graves = { cards: [...cards, ...Array.from({ length: 20_000 }, (_, i) => 10_000_000 + i)], notes: [], decks: [] };
    db.exec('BEGIN');
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    await applyGravesInTurns(db, graves, 7);
    assert.equal(otherWorkRan, true, 'other work ran while the graves were applied');
    db.exec('COMMIT');
    assert.equal(db.prepare('SELECT count() FROM cards').pluck().get(), 0);
    assert.equal(db.prepare('SELECT count() FROM graves WHERE usn = 7 AND type = 0').pluck().get(), graves.cards.length);
  } finally {
    db.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
});
