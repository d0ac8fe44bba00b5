// Memory that follows the active accounts (issue 29). Two rows, each with the
// server in its own child process:
// - 200 accounts each do a small normal sync (20 reviewed cards, on a
//   500-note collection), then all stay quiet past the close delay: RSS
//   above idle at the peak and after the quiet period.
// - a soak of no-change normal syncs round-robin over 20 accounts: RSS at
//   the start and the end of its second half.
// RSS is read after a full GC in the server. The close delay is set short
// here (SYNC_IDLE_CLOSE_SECS' setting) so the quiet period takes seconds.
// `node dist/bench/run.js accounts-memory [soak syncs]`; the soak is
// 200,000 syncs, the default here is 20,000 so the row finishes in minutes.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase, parseJson, stringifyJson, type ServerConfig } from '../src-main/server/index.js';
import { runNormalSync, type CollectionTransport } from '../test/support/normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from '../test/support/real-anki-fixtures.js';
import { newSessionKey } from '../test/support/v11-transport.js';
import { bufferedV11Request, closeBufferedTransport } from './support/buffered-v11-transport.js';
import { buildBigCollection } from './support/big-collection.js';
import { BenchServer } from './support/bench-server.js';

const ACCOUNTS = 200;
const SOAK_ACCOUNTS = 20;
const SOAK_SYNCS = Number(process.argv[2] ?? 20_000);
// Longer than the 200 syncs take here, so that at the peak every account's files are open.
const CLOSE_SECS = 40;
const MiB = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const hostKey = (name: string): string => createHash('sha1').update(`${name}:bench`).digest('hex');
// Client files live in memory when the machine has a tmpfs: their disk is not the server's.
const clientDisk = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** A 500-note collection with everything synced (usn 0), as both sides hold it after a full sync. */
function prepareCollection(path: string): void {
  buildBigCollection(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path, { notes: 500, revlog: 5_000, fieldChars: 1_250 });
  const db = openDatabase(path);
  for (const table of ['cards', 'notes', 'revlog', 'decks', 'deck_config', 'notetypes', 'tags']) db.exec(`UPDATE ${table} SET usn = 0`);
  db.exec('DELETE FROM graves');
  db.exec('UPDATE col SET usn = 1, mod = 1700000000000, ls = 1700000000000');
  db.pragma('journal_mode = DELETE');
  db.close();
}

function transport(url: string, name: string): CollectionTransport {
  const sessionKey = newSessionKey();
  return {
    call: async (method, body) => {
      const reply = await bufferedV11Request(`${url}sync/${method}`, { k: hostKey(name), s: sessionKey }, stringifyJson(body));
      return parseJson(reply.toString('utf8'));
    },
  };
}

/** What a device does between syncs: a few reviews. */
function review(db: Database.Database, round: number): void {
  const now = Math.floor(Date.now() / 1000);
  db.transaction(() => {
    const ids = db
      .prepare('SELECT id FROM cards ORDER BY id LIMIT 20 OFFSET ?')
      .pluck()
      .all((round * 20) % 900) as number[];
    for (const [i, id] of ids.entries()) {
      db.prepare('UPDATE cards SET reps = reps + 1, mod = ?, usn = -1 WHERE id = ?').run(now, id);
      db.prepare('INSERT INTO revlog VALUES (?, ?, -1, 3, 3, 0, 2500, 4000, 1)').run(1_000_000_000_000 + round * 1_000 + i, id);
    }
    db.prepare('UPDATE col SET mod = ?').run(Date.now());
  })();
}

async function sync(server: BenchServer, db: Database.Database, name: string): Promise<void> {
  const result = await runNormalSync(db, transport(server.url, name));
  if (result.required.kind !== 'normalSync') throw new Error(`${name}: expected a normal sync, got ${result.required.kind}`);
}

async function startServer(folder: string, accounts: number): Promise<BenchServer> {
  const names = Array.from({ length: accounts }, (_, i) => `user${i}`);
  // Not a literal in the config, so that the same file builds against code without idleCloseSecs (the BEFORE run).
  const limits = { idleTimeoutSecs: 60, idleCloseSecs: CLOSE_SECS };
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    baseFolder: join(folder, 'server'),
    maxPayloadMegs: 100,
    users: names.map((name) => ({ name, secret: { kind: 'plain', password: 'bench' }, hostKey: hostKey(name) })),
    limits,
  };
  return await BenchServer.start(config);
}

function placeCollections(folder: string, template: string, accounts: number): Database.Database[] {
  const clients: Database.Database[] = [];
  for (let i = 0; i < accounts; i++) {
    mkdirSync(join(folder, 'server', `user${i}`), { recursive: true });
    copyFileSync(template, join(folder, 'server', `user${i}`, 'collection.anki2'));
    copyFileSync(template, join(folder, 'clients', `user${i}.anki2`));
    clients.push(openDatabase(join(folder, 'clients', `user${i}.anki2`)));
  }
  return clients;
}

async function quietAccounts(folder: string, template: string): Promise<void> {
  const clients = placeCollections(folder, template, ACCOUNTS);
  const server = await startServer(folder, ACCOUNTS);
  try {
    const idle = (await server.stats()).vmRssKb;
    let peak = idle;
    const started = performance.now();
    for (let i = 0; i < ACCOUNTS; i++) {
      review(clients[i]!, 1);
      await sync(server, clients[i]!, `user${i}`);
      if (i % 20 === 19) peak = Math.max(peak, (await server.stats()).vmRssKb);
    }
    const stats = await server.stats();
    const syncSecs = (performance.now() - started) / 1000;
    peak = Math.max(peak, stats.vmRssKb);
    await new Promise((resolve) => setTimeout(resolve, (CLOSE_SECS + 3) * 1000));
    const quiet = (await server.stats()).vmRssKb;
    console.log(
      `${ACCOUNTS} accounts, one small sync each (${syncSecs.toFixed(0)} s; close delay ${CLOSE_SECS} s): RSS idle ${MiB(idle)}, after the syncs +${MiB(peak - idle)} (VmHWM ${MiB(stats.vmHwmKb)}), ` +
        `after ${CLOSE_SECS + 3} s quiet ${quiet >= idle ? '+' : '-'}${MiB(Math.abs(quiet - idle))} (target ≤ +64 MiB)  [load ${loadavg()[0]!.toFixed(2)}]`,
    );
  } finally {
    for (const db of clients) db.close();
    await server.stop();
  }
}

async function soak(folder: string, template: string): Promise<void> {
  const clients = placeCollections(folder, template, SOAK_ACCOUNTS);
  const server = await startServer(folder, SOAK_ACCOUNTS);
  try {
    const started = performance.now();
    let secondHalfStart = 0;
    for (let n = 0; n < SOAK_SYNCS; n++) {
      if (n === SOAK_SYNCS / 2) secondHalfStart = (await server.stats()).vmRssKb;
      const i = n % SOAK_ACCOUNTS;
      clients[i]!.prepare('UPDATE col SET mod = mod + 1').run(); // a local change that moves no object
      await sync(server, clients[i]!, `user${i}`);
    }
    const end = await server.stats();
    const secs = (performance.now() - started) / 1000;
    console.log(
      `soak: ${SOAK_SYNCS.toLocaleString('en')} no-change syncs over ${SOAK_ACCOUNTS} accounts in ${secs.toFixed(0)} s: RSS at the start of the second half ${MiB(secondHalfStart)}, ` +
        `at its end ${MiB(end.vmRssKb)}, growth ${MiB(end.vmRssKb - secondHalfStart)} (target ≤ 8 MiB), VmHWM ${MiB(end.vmHwmKb)}  [load ${loadavg()[0]!.toFixed(2)}]`,
    );
  } finally {
    for (const db of clients) db.close();
    await server.stop();
  }
}

const work = mkdtempSync(join(tmpdir(), 'ahs-bench-memory-'));
const clientsFolder = mkdtempSync(join(clientDisk, 'ahs-bench-clients-'));
try {
  const template = join(work, 'template.anki2');
  prepareCollection(template);
  for (const [name, row] of [
    ['quiet', quietAccounts],
    ['soak', soak],
  ] as const) {
    const folder = join(work, name);
    mkdirSync(join(folder, 'clients'), { recursive: true });
    rmSync(join(folder, 'clients'), { recursive: true });
    mkdirSync(join(clientsFolder, name), { recursive: true });
    // The clients' files on the fast disk, the server's on the real one.
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(clientsFolder, name), join(folder, 'clients'));
    if (process.argv.includes(`--no-${name}`)) continue;
    await row(folder, template);
  }
} finally {
  closeBufferedTransport();
  rmSync(work, { recursive: true, force: true });
  rmSync(clientsFolder, { recursive: true, force: true });
}
