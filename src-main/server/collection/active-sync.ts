import type { UserContext } from '../protocol.js';

/**
 * Cancels the user's normal sync, if one is in progress, whatever its session
 * key: `meta`, `abort`, `upload`, `download` and a new `start` all do this.
 * Like the reference, the collection handle goes too, so nothing of the
 * cancelled sync's transaction can survive.
 */
export function abortActiveSync(user: UserContext): void {
  const active = user.activeSync;
  if (active === null) return;
  user.activeSync = null;
  try {
    active.rollback();
  } finally {
    user.closeCollection();
  }
}
