// Reading what a collection holds, to compare two copies of it.
import { openDatabase } from '../../src-main/server/storage/sqlite.js';

export interface CollectionContent {
  readonly ver: number;
  readonly notes: unknown[];
  readonly cards: unknown[];
  readonly revlog: unknown[];
}

export function collectionContent(path: string): CollectionContent {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return {
      ver: db.prepare('SELECT ver FROM col').pluck().get() as number,
      notes: db.prepare('SELECT * FROM notes ORDER BY id').all(),
      cards: db.prepare('SELECT * FROM cards ORDER BY id').all(),
      revlog: db.prepare('SELECT * FROM revlog ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

export function integrityCheck(path: string): string[] {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('PRAGMA integrity_check').pluck().all() as string[];
  } finally {
    db.close();
  }
}

export function colStamps(path: string): { mod: number; scm: number; usn: number; ls: number } {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT mod, scm, usn, ls FROM col').get() as { mod: number; scm: number; usn: number; ls: number };
  } finally {
    db.close();
  }
}
