// Rows and id lists of the wrong JSON type or out of range, in the middle of a
// normal sync over real HTTP: each is a 400, and the whole sync is rolled back
// (the session is gone, nothing it wrote is kept). What is accepted is stored
// with the SQLite type its column declares.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startLoggedIn, type TestServer } from '../../support/test-server.js';
import { EMPTY_INPUT, V11Client } from '../../support/v11-client.js';
import { statusOf } from '../../support/v11-transport.js';
import { copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { MAX_CHUNK_ROWS, MAX_GRAVES_PER_REQUEST } from '../../../src-main/server/collection/sync-data/wire.js';

let server: TestServer;
let client: V11Client;
before(async () => {
  ({ server, client } = await startLoggedIn());
  // What the client does before a full upload (before_upload): nothing stays pending.
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(path);
  for (const table of ['cards', 'notes', 'revlog', 'graves', 'notetypes', 'decks', 'deck_config', 'tags'])
    db.exec(`UPDATE ${table} SET usn = 0`);
  db.close();
  assert.equal(await client.fullUpload(path), 'OK');
});
after(() => server.close());

const NO_CHANGES = { changes: { models: [], decks: [[], []], tags: [], conf: null, crt: null } };

/** start → applyGraves → applyChanges, as a client begins; the server's usn at start. */
async function beginSync(): Promise<void> {
  const meta = await client.meta();
  await client.json('sync', 'start', { minUsn: meta.usn, lnewer: false });
  await client.json('sync', 'applyGraves', { chunk: { cards: [], notes: [], decks: [] } });
  await client.json('sync', 'applyChanges', NO_CHANGES);
}

function rows(table: string): unknown[][] {
  const db = new Database(server.paths('user').collection, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw().all() as unknown[][];
  } finally {
    db.close();
  }
}

const REVLOG = [1700000000000, 1700000000001, 0, 3, 1, 1, 2500, 1000, 1];
const CARD = [1700000000100, 1700000000200, 1, 0, 1700000000, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ''];
const NOTE_POSITIONS = 11;
const WRONG = ['a string', 'x', 1.5, 2 ** 64, -(2 ** 64), null, true, { n: 1 }, [1]] as const;

/** Positions where the reference itself is lenient: floats are truncated, an unknown review kind reads as 0. */
const LENIENT: Record<string, Set<number>> = { revlog: new Set([4, 5, 6, 7, 8]), cards: new Set([4, 8, 9, 14]), notes: new Set() };

test('a wrong type or range anywhere in a chunk row is a 400 that rolls the whole sync back', async () => {
  const before = { revlog: rows('revlog'), cards: rows('cards'), notes: rows('notes') };
  const templates: Record<string, unknown[]> = {
    revlog: REVLOG,
    cards: CARD,
    notes: [...rows('notes')[0]!.slice(0, 7), '', '', ...rows('notes')[0]!.slice(9, NOTE_POSITIONS)],
  };
  let refused = 0;
  for (const [table, template] of Object.entries(templates)) {
    for (let position = 0; position < template.length; position++) {
      for (const wrong of WRONG) {
        const lenient = LENIENT[table]!.has(position) && (typeof wrong === 'number' || position === 8);
        if (lenient) continue;
        // A string is right where a string belongs.
        if (typeof wrong === 'string' && typeof template[position] === 'string') continue;
        await beginSync();
        // A sound revlog row first: the rollback must take it away too.
        await client.json('sync', 'applyChunk', { chunk: { done: false, revlog: [REVLOG] } });
        const row = [...template];
        row[position] = wrong;
        const answer = await statusOf(client.json('sync', 'applyChunk', { chunk: { done: true, [table]: [row] } }));
        assert.equal(answer, 400, `${table}[${position}] = ${JSON.stringify(wrong)}`);
        assert.equal(await statusOf(client.json('sync', 'finish', EMPTY_INPUT)), 409, 'the sync is over after the 400');
        refused++;
      }
    }
  }
  assert.ok(refused > 200, `cases: ${refused}`);
  assert.deepEqual({ revlog: rows('revlog'), cards: rows('cards'), notes: rows('notes') }, before, 'nothing of the refused syncs was kept');
});

test('id lists of the wrong type, and lists longer than any client sends, are 400 and roll back', async () => {
  const cases: [string, unknown][] = [
    ['applyGraves', { chunk: { cards: ['1'], notes: [], decks: [] } }],
    ['applyGraves', { chunk: { cards: [1.5], notes: [], decks: [] } }],
    ['applyGraves', { chunk: { cards: [], notes: [null], decks: [] } }],
    ['applyGraves', { chunk: { cards: Array.from({ length: MAX_GRAVES_PER_REQUEST + 1 }, (_, i) => i), notes: [], decks: [] } }],
    ['applyChunk', { chunk: { done: true, revlog: Array.from({ length: MAX_CHUNK_ROWS + 1 }, (_, i) => [i, 1, 0, 1, 1, 1, 1, 1, 1]) } }],
    ['sanityCheck2', { client: [[0, 0, 0], 'x', 0, 0, 0, 0, 0, 0] }],
  ];
  for (const [method, body] of cases) {
    await beginSync();
    assert.equal(await statusOf(client.json('sync', method, body)), 400, `${method} ${JSON.stringify(body).slice(0, 80)}`);
    assert.equal(await statusOf(client.json('sync', 'finish', EMPTY_INPUT)), 409, `${method}: the sync is over`);
  }
});

function count(sql: string): number {
  const db = openDatabase(server.paths('user').collection, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

test('what the reference accepts leniently is stored with the types the columns declare', async () => {
  const revlog = [1700000000500, 1700000000001, 0, 3, 1.9, -2.5, 2500.7, 1000.2, 'unknown kind'];
  const card = [1700000000600, 1700000000200, 1, 0, 1700000000.5, 0, 0, 0, 1.5, 0.5, 0, 0, 0, 0, 2.5, 0, 0, ''];
  const counts = [
    [0, 0, 0],
    count('SELECT count() FROM cards') + 1,
    count('SELECT count() FROM notes'),
    count('SELECT count() FROM revlog') + 1,
    0,
    count('SELECT count() FROM notetypes'),
    count('SELECT count() FROM decks'),
    count('SELECT count() FROM deck_config'),
  ];
  await beginSync();
  await client.json('sync', 'applyChunk', { chunk: { done: true, revlog: [revlog], cards: [card] } });
  for (let done = false; !done;) done = (await client.json<{ done: boolean }>('sync', 'chunk', EMPTY_INPUT)).done;
  const sanity = await client.json<{ status: string }>('sync', 'sanityCheck2', { client: counts });
  assert.equal(sanity.status, 'ok', JSON.stringify(sanity));
  await client.json('sync', 'finish', EMPTY_INPUT);
  const db = new Database(server.paths('user').collection, { readonly: true });
  try {
    assert.deepEqual(
      db.prepare('SELECT ivl, lastIvl, factor, time, type FROM revlog WHERE id = ?').raw().get(revlog[0]),
      [1, -2, 2500, 1000, 0],
    );
    const wrongTypes = db
      .prepare(
        `SELECT 'revlog', id FROM revlog WHERE typeof(id) != 'integer' OR typeof(cid) != 'integer' OR typeof(ivl) != 'integer'
           OR typeof(lastIvl) != 'integer' OR typeof(factor) != 'integer' OR typeof(time) != 'integer' OR typeof(type) != 'integer'
         UNION ALL SELECT 'cards', id FROM cards WHERE typeof(mod) != 'integer' OR typeof(due) != 'integer' OR typeof(ivl) != 'integer'
           OR typeof(odue) != 'integer' OR typeof(data) != 'text'`,
      )
      .all();
    assert.deepEqual(wrongTypes, []);
  } finally {
    db.close();
  }
});
