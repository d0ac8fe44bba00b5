// Moving an account's folder when the account is renamed: the move and its
// name are on disk before the rename is reported done (server/storage/durable.ts).
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { syncFolder } from '../server/index.js';

/** Moves `from` to `to` inside the storage folder, durably; nothing to move is fine (an account that never synced). */
export async function moveUserFolder(from: string, to: string): Promise<void> {
  try {
    await fs.access(from);
  } catch {
    return;
  }
  await fs.rename(from, to);
  await syncFolder(dirname(to));
}
