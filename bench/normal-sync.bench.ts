// `npm run bench` — normal sync: a sync with nothing to move, and a sync that
// moves 10,000 changed cards and 10,000 review log rows from one device to the
// server and on to another, next to a raw SQLite upsert of the same rows in
// this same run. The server runs in a child process; its peak RSS is reported.
// `node dist/bench/run.js normal-sync 50000` runs it on a collection that holds
// 50,000 more notes (bench/support/big-collection.ts), where SQLite's page
// cache matters (issue 29: the cache size is chosen from these runs).
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { deriveNoteColumns, parseJson, stringifyJson, openDatabase } from '../src-main/server/index.js';
import { runNormalSync, type CollectionTransport } from '../test/support/normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from '../test/support/real-anki-fixtures.js';
import { newSessionKey } from '../test/support/v11-transport.js';
import { bufferedV11Request, closeBufferedTransport } from './support/buffered-v11-transport.js';
import { BenchServer } from './support/bench-server.js';
import { buildBigCollection } from './support/big-collection.js';
import { median } from './support/median.js';
import { makeTempFolder } from '../test/support/temp-folder.js';

const ROWS = 10_000;
/** Notes (with their cards and ten revlog rows each) the collection holds besides the ROWS that sync. */
const EXTRA_NOTES = Number(process.argv[2] ?? 0);
const NO_CHANGE_RUNS = 20;
const BULK_ROUNDS = 3;
// Below the fixture's own revlog ids, so each round's rows can be counted on their own.
const REVLOG_BASE = 1_000_000_000_000;
// The generated notes and cards; the fixture's own 16 are older.
const CARD_BASE = 1_500_000_000_000;
const hostKey = createHash('sha1').update('bench:bench').digest('hex');

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** A real-Anki collection grown to ROWS notes and cards, everything synced (no usn -1). */
function prepareCollection(path: string): void {
  const fixture = join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2');
  if (EXTRA_NOTES > 0) buildBigCollection(fixture, path, { notes: EXTRA_NOTES, revlog: EXTRA_NOTES * 10, fieldChars: 1_250 });
  else copyFileSync(fixture, path);
  const db = openDatabase(path);
  const ntid = db.prepare('SELECT mid FROM notes LIMIT 1').pluck().get() as number;
  const addNote = db.prepare("INSERT INTO notes VALUES (?, ?, ?, 1700000000, 0, '', ?, ?, ?, 0, '')");
  const addCard = db.prepare("INSERT INTO cards VALUES (?, ?, 1, 0, 1700000000, 0, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '{}')");
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const id = CARD_BASE + i;
      const fields = [`front ${i}`, `back ${i}`];
      const derived = deriveNoteColumns(fields, 0);
      addNote.run(id, `g${i}`, ntid, derived.flds, derived.sfld, derived.csum);
      addCard.run(id, id, i);
    }
    for (const table of ['cards', 'notes', 'revlog', 'decks', 'deck_config', 'notetypes', 'tags']) {
      db.exec(`UPDATE ${table} SET usn = 0`);
    }
    db.exec('DELETE FROM graves');
    db.exec('UPDATE col SET usn = 1, mod = 1700000000000, ls = 1700000000000');
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** What one device does between syncs: review every card once (round `round` gives fresh revlog ids). */
function reviewEveryCard(db: Database.Database, round: number): void {
  const now = Math.floor(Date.now() / 1000) + round;
  const update = db.prepare(
    'UPDATE cards SET type = 2, queue = 2, ivl = 3, due = due + 3, factor = 2500, reps = reps + 1, mod = ?, usn = -1 WHERE id = ?',
  );
  const log = db.prepare('INSERT INTO revlog VALUES (?, ?, -1, 3, 3, 0, 2500, 4000, 1)');
  db.transaction(() => {
    const ids = db
      .prepare('SELECT id FROM cards WHERE id >= ? AND id < ?')
      .pluck()
      .all(CARD_BASE, CARD_BASE + ROWS) as number[];
    ids.forEach((id, i) => {
      update.run(now, id);
      log.run(REVLOG_BASE + round * 100_000 + i, id);
    });
    db.prepare('UPDATE col SET mod = ?').run(Date.now());
  })();
}

/** The baseline: the same 10,000 card rows and 10,000 revlog rows upserted into a copy of the server file. */
function rawUpsert(sourcePath: string, basePath: string, scratch: string): number {
  copyFileSync(basePath, scratch);
  const serverCopy = scratch;
  const source = openDatabase(sourcePath, { readonly: true });
  const cards = source.prepare('SELECT * FROM cards WHERE usn = -1').raw().all() as unknown[][];
  const revlog = source.prepare('SELECT * FROM revlog WHERE usn = -1').raw().all() as unknown[][];
  source.close();
  const db = openDatabase(serverCopy);
  const started = performance.now();
  const upsertCard = db.prepare('INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const addRevlog = db.prepare('INSERT OR IGNORE INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const card of cards) upsertCard.run(card);
    for (const entry of revlog) addRevlog.run(entry);
  })();
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

function transport(url: string): CollectionTransport {
  const sessionKey = newSessionKey();
  return {
    call: async (method, body) => {
      const reply = await bufferedV11Request(`${url}sync/${method}`, { k: hostKey, s: sessionKey }, stringifyJson(body));
      return parseJson(reply.toString('utf8'));
    },
  };
}

async function timedSync(
  server: BenchServer,
  db: Database.Database,
): Promise<{ wallMs: number; serverMs: number; requests: number; kind: string }> {
  await server.reset();
  const started = performance.now();
  const result = await runNormalSync(db, transport(server.url));
  const wallMs = performance.now() - started;
  const stats = await server.stats();
  return { wallMs, serverMs: stats.handlerMs, requests: result.counts.requests, kind: result.required.kind };
}

const folder = makeTempFolder('ahs-bench-normal-');
try {
  const base = join(folder, 'base.anki2');
  prepareCollection(base);
  console.log(`collection: ${ROWS + EXTRA_NOTES + 16} notes, ${(statSync(base).size / 1024 / 1024).toFixed(1)} MiB`);
  const serverFolder = join(folder, 'server', 'bench');
  mkdirSync(serverFolder, { recursive: true });
  copyFileSync(base, join(serverFolder, 'collection.anki2'));
  copyFileSync(base, join(folder, 'a.anki2'));
  copyFileSync(base, join(folder, 'b.anki2'));

  const server = await BenchServer.start({
    host: '127.0.0.1',
    port: 0,
    baseFolder: join(folder, 'server'),
    maxPayloadMegs: 100,
    users: [{ name: 'bench', secret: { kind: 'plain', password: 'bench' }, hostKey }],
  });
  const a = openDatabase(join(folder, 'a.anki2'));
  const b = openDatabase(join(folder, 'b.anki2'));
  try {
    const upToDate = await timedSync(server, a);
    if (upToDate.kind !== 'noChanges') throw new Error(`expected no changes, got ${upToDate.kind}`);

    const noChange: { wallMs: number; serverMs: number; requests: number }[] = [];
    for (let run = 0; run < NO_CHANGE_RUNS; run++) {
      a.prepare('UPDATE col SET mod = mod + 1').run(); // a local change that moves no object
      const result = await timedSync(server, a);
      if (result.kind !== 'normalSync') throw new Error(`expected a normal sync, got ${result.kind}`);
      noChange.push(result);
    }
    await timedSync(server, b); // b catches up with a's col.mod
    console.log(
      `up-to-date check (meta only): ${upToDate.requests} round trip, wall ${ms(upToDate.wallMs)}, server handlers ${ms(upToDate.serverMs)}`,
    );
    console.log(
      `no-change normal sync: ${noChange[0]!.requests} round trips, wall ${ms(median(noChange.map((r) => r.wallMs)))}, ` +
        `server handlers ${ms(median(noChange.map((r) => r.serverMs)))} (median of ${NO_CHANGE_RUNS}; target < 50 ms server time)`,
    );

    const rounds: { raw: number; send: number; receive: number; sendServer: number; receiveServer: number; requests: number }[] = [];
    for (let round = 1; round <= BULK_ROUNDS; round++) {
      reviewEveryCard(a, round);
      const raw = rawUpsert(join(folder, 'a.anki2'), base, join(folder, `raw-${round}.anki2`));
      const send = await timedSync(server, a);
      const receive = await timedSync(server, b);
      const moved = b
        .prepare('SELECT count() FROM revlog WHERE id >= ? AND id < ?')
        .pluck()
        .get(REVLOG_BASE + round * 100_000, REVLOG_BASE + (round + 1) * 100_000) as number;
      if (moved !== ROWS) throw new Error(`round ${round}: device b received ${moved} of ${ROWS} revlog rows`);
      rounds.push({
        raw,
        send: send.wallMs,
        receive: receive.wallMs,
        sendServer: send.serverMs,
        receiveServer: receive.serverMs,
        requests: send.requests,
      });
    }
    const m = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
    const raw = m((r) => r.raw);
    console.log(`(medians of ${BULK_ROUNDS} rounds; each round reviews every card on device A again)`);
    console.log(
      '(the test client keeps one request on the wire at a time, in the reference order, and does its own SQLite work ' +
        'for the next chunk while the server handles the current one)',
    );
    console.log(`raw SQLite upsert of ${ROWS} cards + ${ROWS} revlog rows: ${ms(raw)}`);
    console.log(
      `send ${ROWS} cards + ${ROWS} revlog (device → server): ${rounds[0]!.requests} round trips, wall ${ms(m((r) => r.send))}, server handlers ${ms(m((r) => r.sendServer))}, ${(m((r) => r.send) / raw).toFixed(2)}× raw`,
    );
    console.log(
      `receive them (server → device): wall ${ms(m((r) => r.receive))}, server handlers ${ms(m((r) => r.receiveServer))}, ${(m((r) => r.receive) / raw).toFixed(2)}× raw`,
    );
    console.log(
      `whole exchange: ${ms(m((r) => r.send + r.receive))}, ${m((r) => (r.send + r.receive) / (2 * r.raw)).toFixed(2)}× two raw upserts (target < 3×)`,
    );
    const stats = await server.stats();
    console.log(`server peak RSS (VmHWM): ${(stats.vmHwmKb / 1024).toFixed(1)} MiB`);
  } finally {
    a.close();
    b.close();
    await server.stop();
    closeBufferedTransport();
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
