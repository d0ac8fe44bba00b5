// A throwaway user folder laid out like SYNC_BASE/<user>/, and a User on one.
import { rmSync } from 'node:fs';
import type { UserPaths } from '../../src-main/server/storage/user-paths.js';
import { userPaths } from '../../src-main/server/storage/user-paths.js';
import { payloadLimits } from '../../src-main/server/server.js';
import { createUserFolders } from '../../src-main/server/storage/user-paths.js';
import { User } from '../../src-main/server/user.js';
import { MediaStore } from '../../src-main/server/media/media-store.js';
import { makeTempFolder } from './temp-folder.js';

export function tempUserPaths(prefix = 'ahs-media-'): UserPaths & { remove(): void } {
  const base = makeTempFolder(prefix);
  return { ...userPaths(base, 'user'), remove: () => rmSync(base, { recursive: true, force: true }) };
}

export type TempUserPaths = ReturnType<typeof tempUserPaths>;

/** Runs `body` with a media store on a fresh user folder, closing and removing both afterwards. */
export async function withMediaStore(body: (store: MediaStore, paths: TempUserPaths) => Promise<void>): Promise<void> {
  const paths = tempUserPaths();
  const store = MediaStore.open(paths);
  try {
    await body(store, paths);
  } finally {
    store.close();
    paths.remove();
  }
}

/** A User "alice" on fresh folders (created, as the server creates them), recording nothing. */
export function newUser(prefix = 'ahs-user-'): User {
  const paths = userPaths(makeTempFolder(prefix), 'alice');
  createUserFolders(paths);
  return new User('alice', paths, payloadLimits(100), () => undefined);
}
