// The client's side of a normal sync, as the reference client runs it
// (rslib/src/sync/collection/normal.rs and the steps it calls), on a device's
// own schema-18 collection file. It uses the same row and JSON handling as the
// server (src-main/server/collection/sync-data), with the client's pending
// threshold of -1, so a difference between the two sides is a bug on one of
// them, never a second implementation drifting.
import type Database from 'better-sqlite3';
import { gatherChanges, applyChanges, type UnchunkedChanges } from '../../src-main/server/collection/sync-data/changes.js';
import { writeChunkRows, chunkableIds, loadChunk, takeChunkIds } from '../../src-main/server/collection/sync-data/chunks.js';
import { applyGraves, pendingGraves } from '../../src-main/server/collection/sync-data/graves.js';
import { markPendingGravesSent, takeGravesChunk } from './client-graves.js';
import { sanityCounts } from '../../src-main/server/collection/sync-data/sanity-counts.js';
import { CLIENT_PENDING_USN } from '../../src-main/server/collection/sync-data/usn.js';
import { parseChunk, parseGraves, type SanityCounts } from '../../src-main/server/collection/sync-data/wire.js';
import { requestOnTheWire, sentAhead } from './request-ahead.js';
import type { SyncMeta } from './v11-client.js';

/** Sends one collection method with this client's session key; resolves to the parsed JSON reply. */
export interface CollectionTransport {
  call(method: string, body: unknown): Promise<unknown>;
}

export type SyncRequired = { kind: 'noChanges' } | { kind: 'fullSync'; uploadOk: boolean; downloadOk: boolean } | { kind: 'normalSync' };

export class ClockIncorrectError extends Error {}
export class ServerMessageError extends Error {}
export class SanityCheckFailedError extends Error {
  constructor(readonly response: unknown) {
    super('sanity check failed');
  }
}

export interface LocalMeta {
  mod: number;
  scm: number;
  usn: number;
  ls: number;
  empty: boolean;
}

export function localMeta(db: Database.Database): LocalMeta {
  const col = db.prepare('SELECT mod, scm, usn, ls FROM col').get() as Omit<LocalMeta, 'empty'>;
  const empty = db.prepare('SELECT 1 FROM cards LIMIT 1').get() === undefined;
  return { ...col, empty };
}

/** The reference's SyncMeta::compared_to_remote, after the clock and `cont` checks. */
export function compareMeta(local: LocalMeta, remote: SyncMeta, nowSecs = Math.floor(Date.now() / 1000)): SyncRequired {
  if (!remote.cont) throw new ServerMessageError(remote.msg);
  if (Math.abs(remote.ts - nowSecs) > 300) throw new ClockIncorrectError('clock is off by more than 5 minutes');
  if (remote.mod === local.mod) return { kind: 'noChanges' };
  if (remote.scm !== local.scm) {
    return { kind: 'fullSync', uploadOk: !local.empty || remote.empty, downloadOk: !remote.empty || local.empty };
  }
  return { kind: 'normalSync' };
}

export interface NormalSyncResult {
  required: SyncRequired;
  /** What each step moved, for assertions and the bench. */
  counts: { serverGraves: number; clientGraves: number; serverChunks: number; clientChunks: number; requests: number };
}

/**
 * One full client sync attempt: `meta`, then (if a normal sync is due) every
 * step through `finish` inside one local transaction. On any failure the local
 * transaction is rolled back and `abort` is sent; a failed sanity check also
 * forces a full sync next time by bumping the local `scm`.
 */
/** How a client older than version 11 differs (docs/protocol/collection-sync.md §7). */
export interface ClientProtocol {
  /** The version meta's JSON announces; 11 unless a legacy client. */
  readonly syncVersion?: number;
  /** AnkiDroid ≤ 2.15: all local graves go inside `start`, and no applyGraves follows. */
  readonly gravesInStart?: boolean;
  /** Clients before 11 send their real due counts in sanityCheck2 (the server ignores them). */
  readonly dueCounts?: readonly [number, number, number];
}

export async function runNormalSync(
  db: Database.Database,
  transport: CollectionTransport,
  cv = 'anki,25.02 (test),linux',
  protocol: ClientProtocol = {},
): Promise<NormalSyncResult> {
  const counts = { serverGraves: 0, clientGraves: 0, serverChunks: 0, clientChunks: 0, requests: 0 };
  const call = (method: string, body: unknown) => {
    counts.requests++;
    return transport.call(method, body);
  };
  const remote = (await call('meta', { v: protocol.syncVersion ?? 11, cv })) as SyncMeta;
  const local = localMeta(db);
  const required = compareMeta(local, remote);
  if (required.kind !== 'normalSync') return { required, counts };

  const serverUsn = remote.usn;
  const lnewer = local.mod > remote.mod;
  /** A request sent ahead of local work; on failure it is settled before `abort` goes out. */
  const inFlight: { request: Promise<unknown> | null } = { request: null };
  const sendAhead = (method: string, body: unknown): Promise<unknown> => {
    const reply = sentAhead(call(method, body));
    inFlight.request = reply;
    return reply;
  };
  db.exec('BEGIN');
  try {
    const ours = pendingGraves(db, CLIENT_PENDING_USN);
    const inStart = protocol.gravesInStart === true ? ours : null;
    if (inStart) counts.clientGraves = inStart.cards.length + inStart.notes.length + inStart.decks.length;
    const serverGraves = parseGraves(await call('start', { minUsn: local.usn, lnewer, graves: inStart }));
    counts.serverGraves = serverGraves.cards.length + serverGraves.notes.length + serverGraves.decks.length;

    markPendingGravesSent(db, serverUsn);
    for (let chunk = inStart ? null : takeGravesChunk(ours); chunk; chunk = takeGravesChunk(ours)) {
      counts.clientGraves += chunk.cards.length + chunk.notes.length + chunk.decks.length;
      await call('applyGraves', { chunk });
    }
    applyGraves(db, serverGraves, serverUsn);

    const outgoing = gatherChanges(db, CLIENT_PENDING_USN, serverUsn, lnewer);
    const incoming = (await call('applyChanges', { changes: outgoing })) as UnchunkedChanges;
    applyChanges(db, incoming, serverUsn);

    // Each chunk loop keeps exactly one request on the wire, in the
    // reference's order, but does its own SQLite work while the server
    // handles that request instead of after: the next `chunk` is asked for
    // before the one in hand is applied, and the next outgoing chunk is read
    // while the previous one is being applied by the server.
    let reply = sendAhead('chunk', { _pad: null });
    for (;;) {
      const chunk = parseChunk(await reply);
      counts.serverChunks++;
      if (!chunk.done) {
        reply = sendAhead('chunk', { _pad: null });
        await requestOnTheWire();
      }
      writeChunkRows(db, chunk, CLIENT_PENDING_USN);
      if (chunk.done) break;
    }

    const ids = chunkableIds(db, CLIENT_PENDING_USN);
    let chunk = loadChunk(db, takeChunkIds(ids), serverUsn);
    for (;;) {
      counts.clientChunks++;
      const applied = sendAhead('applyChunk', { chunk });
      if (chunk.done) {
        await applied;
        break;
      }
      await requestOnTheWire();
      const next = loadChunk(db, takeChunkIds(ids), serverUsn);
      await applied;
      chunk = next;
    }
    inFlight.request = null;

    const clientCounts: SanityCounts | null = sanityCounts(db);
    if (clientCounts === null) throw new Error('local sanity check: rows still pending');
    if (protocol.dueCounts) clientCounts[0] = [...protocol.dueCounts];
    const sanity = (await call('sanityCheck2', { client: clientCounts })) as { status: string };
    if (sanity.status !== 'ok') throw new SanityCheckFailedError(sanity);

    const newMod = (await call('finish', { _pad: null })) as number;
    db.prepare('UPDATE col SET ls = ?, usn = ?, mod = ?').run(newMod, serverUsn + 1, newMod);
    db.exec('COMMIT');
    return { required, counts };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    await inFlight.request?.catch(() => undefined);
    await transport.call('abort', { _pad: null }).catch(() => undefined);
    if (error instanceof SanityCheckFailedError) {
      db.prepare('UPDATE col SET scm = ?').run(Date.now());
    }
    throw error;
  }
}
