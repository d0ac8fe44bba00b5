// Each user's MediaStore, opened once and kept for the life of the server (the
// database is held with an exclusive lock, like the official server's). Keyed by
// the user's context object, so a server's stores go when its contexts do.
import type { UserContext } from '../protocol.js';
import { MediaStore } from './media-store.js';

const stores = new WeakMap<object, MediaStore>();

/** The user's store, opening (and creating) the media folder and database on first use. */
export function mediaStoreOf(user: Pick<UserContext, 'paths'>): MediaStore {
  let store = stores.get(user);
  if (store === undefined) {
    store = MediaStore.open(user.paths);
    stores.set(user, store);
  }
  return store;
}

/** Closes the user's store if open (server stop, user removed). */
export function closeMediaStoreOf(user: Pick<UserContext, 'paths'>): void {
  stores.get(user)?.close();
  stores.delete(user);
}
