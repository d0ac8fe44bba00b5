// Counting what a collection file holds, as tests check it after a restore or an export.
import { openDatabase } from '../../src-main/server/storage/sqlite.js';

/** The notes in the collection at `path`, read without changing it. */
export function notesIn(path: string): number {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
