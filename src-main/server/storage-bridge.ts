// TEMPORARY: stands in for storage/user-paths.ts and storage/collection-file.ts
// until the storage helpers land; then this file goes and server.ts imports theirs.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openDatabase } from './storage/sqlite.js';
import { ServerFaultError } from './errors.js';

export function openCollection(path: string): Database.Database {
  if (!existsSync(path)) throw new ServerFaultError('open collection: creating a new collection is not available yet');
  return openDatabase(path);
}
