// What a note needs from its notetype to be stored: how many fields it must
// have and which one it sorts on.
import type Database from 'better-sqlite3';
import { getNotetype } from '../../storage/objects/notetypes.js';

export interface NotetypeShape {
  readonly fieldCount: number;
  readonly sortFieldIdx: number;
}

export function readNotetypeShape(db: Database.Database, ntid: number): NotetypeShape | null {
  const notetype = getNotetype(db, ntid);
  return notetype ? { fieldCount: notetype.fields.length, sortFieldIdx: notetype.config.sort_field_idx } : null;
}
