// `meta`: {"v": sync version, "cv": client version} → the server's status, from
// which the client decides between no sync, a normal sync and a full sync.
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { BadRequestError, ClientTooOldError } from '../errors.js';
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { abortActiveSync } from './active-sync.js';
import { openUserCollection } from './open.js';

const SYNC_VERSION_MIN = 8;
const SYNC_VERSION_MAX = 11;
const SYNC_VERSION_09_V2_SCHEDULER = 9;
const SYNC_VERSION_10_V2_TIMEZONE = 10;

interface ColStamps {
  mod: number;
  scm: number;
  usn: number;
}

function configValue(db: Database.Database, key: string): unknown {
  const row = db.prepare('SELECT val FROM config WHERE KEY = ?').get(key) as { val: Buffer | string } | undefined;
  if (row === undefined) return undefined;
  try {
    return JSON.parse(Buffer.isBuffer(row.val) ? row.val.toString('utf8') : row.val);
  } catch {
    return undefined;
  }
}

/** The reference's v2-scheduler and v2-timezone refusals for clients speaking version 8 or 9. */
function oldClientMessage(db: Database.Database, version: number): string | null {
  if (version >= SYNC_VERSION_10_V2_TIMEZONE) return null;
  if (configValue(db, 'schedVer') === 2 && version < SYNC_VERSION_09_V2_SCHEDULER) {
    return 'Your client does not support the v2 scheduler';
  }
  const offset = configValue(db, 'creationOffset');
  if (typeof offset === 'number' && Number.isInteger(offset) && Math.abs(offset) <= 0x7fff_ffff) {
    return 'Your client does not support the new timezone handling.';
  }
  return null;
}

export const meta: MethodHandler = (user, request) => {
  const { v, cv } = requestJsonObject(request.body);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255 || typeof cv !== 'string') {
    throw new BadRequestError('invalid json: meta needs v (0..255) and cv');
  }
  abortActiveSync(user);
  const db = openUserCollection(user);
  // Old clients expect 501 for a version the server does not speak.
  if (v < SYNC_VERSION_MIN || v > SYNC_VERSION_MAX) throw new ClientTooOldError('unsupported version');

  const stamps = db.prepare('SELECT mod, scm, usn FROM col').get() as ColStamps;
  const empty = db.prepare('SELECT EXISTS (SELECT 1 FROM cards) AS found').get() as { found: number };
  // A file the client could not download forces a one-way sync, as the reference does.
  const tooBig = statSync(user.paths.collection).size > user.limits.maxUncompressedBytes;
  const refusal = oldClientMessage(db, v);
  return jsonReply({
    mod: stamps.mod,
    scm: tooBig ? Date.now() : stamps.scm,
    usn: stamps.usn,
    ts: Math.floor(Date.now() / 1000),
    msg: refusal ?? '',
    cont: refusal === null,
    hostNum: 0,
    empty: empty.found === 0,
    media_usn: user.mediaUsn(),
  });
};
