// Per-account figures for the users table, read from the account's folder:
// collection size and note/card counts from collection.anki2 (read-only), media
// count and size from the media folder itself (media.db is held exclusively by
// the running server, the folder never is).

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type UserPaths } from '../server/index.js';

export interface CollectionFigures {
  readonly collectionBytes: number;
  readonly notes: number;
  readonly cards: number;
  readonly mediaFiles: number;
  readonly mediaBytes: number;
}

const EMPTY: CollectionFigures = { collectionBytes: 0, notes: 0, cards: 0, mediaFiles: 0, mediaBytes: 0 };

async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0;
  }
}

function countRows(path: string): { notes: number; cards: number } {
  // readonly + fileMustExist: never creates or alters anything. No busy wait: the
  // server shares this process, so a sync writing right now means "use the last figures".
  const db = openDatabase(path, { readonly: true, fileMustExist: true, timeout: 0 });
  try {
    const notes = (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
    const cards = (db.prepare('SELECT count(*) AS n FROM cards').get() as { n: number }).n;
    return { notes, cards };
  } finally {
    db.close();
  }
}

async function mediaFolderFigures(folder: string): Promise<{ mediaFiles: number; mediaBytes: number }> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return { mediaFiles: 0, mediaBytes: 0 };
  }
  let mediaBytes = 0;
  let mediaFiles = 0;
  for (const name of names) {
    try {
      const st = await fs.stat(join(folder, name));
      if (!st.isFile()) continue;
      mediaFiles++;
      mediaBytes += st.size;
    } catch {
      // Removed while we looked: not counted.
    }
  }
  return { mediaFiles, mediaBytes };
}

/**
 * Figures for one account folder. A collection that cannot be read right now
 * (mid-upload, locked) reports `previous` counts rather than failing the window.
 */
export async function readCollectionFigures(
  paths: Pick<UserPaths, 'collection' | 'mediaFolder'>,
  previous: CollectionFigures = EMPTY,
): Promise<CollectionFigures> {
  const collection = paths.collection;
  const collectionBytes = await fileSize(collection);
  let counts = { notes: 0, cards: 0 };
  if (collectionBytes > 0) {
    try {
      counts = countRows(collection);
    } catch {
      counts = { notes: previous.notes, cards: previous.cards };
    }
  }
  return { collectionBytes, ...counts, ...(await mediaFolderFigures(paths.mediaFolder)) };
}
