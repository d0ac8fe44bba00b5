import type Database from 'better-sqlite3';
import type { UserContext } from '../protocol.js';
import { ServerFaultError, SyncError } from '../errors.js';

/** The user's collection, or the reference's 500 `open collection`. */
export function openUserCollection(user: UserContext): Database.Database {
  try {
    return user.collection();
  } catch (error) {
    if (error instanceof SyncError) throw error;
    throw new ServerFaultError('open collection', { cause: error });
  }
}
