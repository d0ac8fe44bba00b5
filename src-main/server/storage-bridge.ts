// TEMPORARY: stands in for storage/user-paths.ts and storage/collection-file.ts
// until the storage helpers land; then this file goes and server.ts imports theirs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { UserPaths } from './protocol.js';
import { openDatabase } from './storage/sqlite.js';
import { ServerFaultError } from './errors.js';

export function userPaths(baseFolder: string, username: string): UserPaths {
  const folder = join(baseFolder, username);
  return {
    folder,
    collection: join(folder, 'collection.anki2'),
    mediaFolder: join(folder, 'media'),
    mediaDb: join(folder, 'media.db'),
    backups: join(folder, 'backups'),
  };
}

export function openCollection(path: string): Database.Database {
  if (!existsSync(path)) throw new ServerFaultError('open collection: creating a new collection is not available yet');
  return openDatabase(path);
}
