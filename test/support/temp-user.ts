// A throwaway user folder laid out like SYNC_BASE/<user>/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserPaths } from '../../src-main/server/protocol.js';

export function tempUserPaths(prefix = 'ahs-media-'): UserPaths & { remove(): void } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const folder = join(base, 'user');
  return {
    folder,
    collection: join(folder, 'collection.anki2'),
    mediaFolder: join(folder, 'media'),
    mediaDb: join(folder, 'media.db'),
    backups: join(folder, 'backups'),
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}
