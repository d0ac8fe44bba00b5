// What a note needs from its notetype to be stored: how many fields it must
// have and which one it sorts on.
import type Database from 'better-sqlite3';
import protobuf from 'protobufjs';
import { statement } from './statements.js';

export interface NotetypeShape {
  readonly fieldCount: number;
  readonly sortFieldIdx: number;
}

/** Notetype.Config field 2 (`sort_field_idx`). */
function sortFieldIdx(config: Buffer): number {
  const reader = protobuf.Reader.create(config);
  let idx = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2 && (tag & 7) === 0) idx = reader.uint32();
    else reader.skipType(tag & 7);
  }
  return idx;
}

export function readNotetypeShape(db: Database.Database, ntid: number): NotetypeShape | null {
  const row = statement(db, 'SELECT config FROM notetypes WHERE id = ?').get(ntid) as { config: Buffer } | undefined;
  if (!row) return null;
  const { n } = statement(db, 'SELECT count(*) AS n FROM fields WHERE ntid = ?').get(ntid) as { n: number };
  return { fieldCount: n, sortFieldIdx: sortFieldIdx(row.config) };
}
