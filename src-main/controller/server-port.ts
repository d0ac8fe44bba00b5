// What the controller needs from the sync server. The app and the tests pass the
// real SyncServer through syncServerStarter (sync-server.ts); keeping the seam this
// narrow keeps the controller's lifecycle logic readable.

import type { ActivityEvent, ServerConfig, UserAccount } from '../server/index.js';

export interface RunningServer {
  /** The port actually bound (differs from the config's only when it asked for 0). */
  readonly port: number;
  /** Takes effect for the next request; syncs in progress for other users carry on. */
  setUsers(users: readonly UserAccount[]): void | Promise<void>;
  /** Stops accepting, lets in-flight syncs finish, closes every collection. */
  stop(): Promise<void>;
}

export type StartServer = (config: ServerConfig, onActivity: (event: ActivityEvent) => void) => Promise<RunningServer>;
