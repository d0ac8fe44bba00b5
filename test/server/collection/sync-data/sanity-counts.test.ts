import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import assert from 'node:assert/strict';
import { sanityCounts } from '../../../../src-main/server/collection/sync-data/sanity-counts.js';
import { compareSanityCounts } from '../../../../src-main/server/collection/normal-sync.js';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';

test('counts are refused while any synced table holds a pending row, then counted', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  try {
    assert.equal(sanityCounts(db), null, 'a never-synced collection has usn -1 rows');
    for (const table of ['cards', 'notes', 'revlog', 'graves', 'decks', 'deck_config', 'tags', 'notetypes']) {
      db.prepare(`UPDATE ${table} SET usn = 0 WHERE usn = -1`).run();
    }
    db.prepare('INSERT INTO graves (oid, type, usn) VALUES (1, 0, 0)').run();
    const decks = (db.prepare('SELECT count() AS n FROM decks').get() as { n: number }).n;
    const notetypes = (db.prepare('SELECT count() AS n FROM notetypes').get() as { n: number }).n;
    assert.deepEqual(sanityCounts(db), [[0, 0, 0], 16, 16, 8, 1, notetypes, decks, 1]);
  } finally {
    db.close();
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test('due counts and graves are not compared; everything else is', () => {
  const server = [[0, 0, 0], 16, 16, 8, 3, 5, 3, 1] as const;
  const ok = compareSanityCounts([[4, 5, 6], 16, 16, 8, 9, 5, 3, 1], [...server] as never);
  assert.deepEqual(ok, { status: 'ok', c: [[0, 0, 0], 16, 16, 8, 0, 5, 3, 1], s: [[0, 0, 0], 16, 16, 8, 0, 5, 3, 1] });
  for (let i = 1; i < 8; i++) {
    if (i === 4) continue;
    const client = [[0, 0, 0], 16, 16, 8, 3, 5, 3, 1] as [[number, number, number], ...number[]];
    (client[i] as number) += 1;
    assert.equal(compareSanityCounts(client as never, [...server] as never).status, 'bad', `index ${i}`);
  }
  const raw = [[1, 2, 3], 1, 1, 1, 1, 1, 1, 1] as never;
  assert.deepEqual(compareSanityCounts(raw, null), { status: 'bad', c: [[1, 2, 3], 1, 1, 1, 1, 1, 1, 1], s: null });
});
