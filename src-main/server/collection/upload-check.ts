// Is an uploaded file a collection we can take? It must be a SQLite database
// that passes `PRAGMA integrity_check` with our unicase collation, with exactly
// one `col` row of schema 11 or 14–18 (12 and 13 never shipped in a client).
// Anything else is refused before the live collection is touched.
import { open } from 'node:fs/promises';
import { openDatabase } from '../storage/sqlite.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export type UploadVerdict =
  | { readonly ok: true; readonly schema: number }
  | { readonly ok: false; readonly reason: string };

export function acceptedSchema(ver: number): boolean {
  return ver === 11 || (ver >= 14 && ver <= 18);
}

async function startsWithSqliteMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    await handle.close();
  }
}

export async function checkUploadedCollection(path: string): Promise<UploadVerdict> {
  if (!(await startsWithSqliteMagic(path))) return { ok: false, reason: 'not a SQLite database' };
  let db;
  try {
    db = openDatabase(path, { fileMustExist: true });
  } catch (error) {
    return { ok: false, reason: `does not open: ${String(error)}` };
  }
  try {
    const rows = db.prepare('PRAGMA integrity_check').pluck().all() as unknown[];
    if (rows.length !== 1 || rows[0] !== 'ok') return { ok: false, reason: `integrity_check: ${rows.slice(0, 3).join('; ')}` };
    const col = db.prepare('SELECT ver FROM col').pluck().all() as unknown[];
    if (col.length !== 1) return { ok: false, reason: `col has ${col.length} rows` };
    const ver = col[0];
    if (typeof ver !== 'number' || !acceptedSchema(ver)) return { ok: false, reason: `schema ${String(ver)} is not 11 or 14..18` };
    return { ok: true, schema: ver };
  } catch (error) {
    return { ok: false, reason: String(error) };
  } finally {
    db.close();
  }
}
