// What the control socket does for the headless `snapshots` and `export
// --snapshot` commands: each request runs on the running server's snapshots of
// the account (SyncServer.snapshots), so a restore happens under the account's
// lock and the server knows of it. A SnapshotError's message is already a
// sentence for the learner; it travels as it is.

import { SnapshotError, type AccountSnapshots, type Logger, type SnapshotEntry } from '../server/index.js';
import type { ControlRequest } from './control-protocol.js';
import { ControlSocketError, openControlSocket, type ControlHandlers, type ControlSocket } from './control-server.js';

/** What `snapshots-list` answers. */
export interface SnapshotListing {
  readonly entries: readonly SnapshotEntry[];
  readonly spaceBytes: number;
}

export function snapshotControlHandlers(snapshotsOf: (username: string) => AccountSnapshots): ControlHandlers {
  return {
    async handle(request: ControlRequest): Promise<unknown> {
      const snapshots = snapshotsOf(request.user);
      switch (request.command) {
        case 'snapshots-list': {
          const listing: SnapshotListing = { entries: await snapshots.list(), spaceBytes: await snapshots.spaceBytes() };
          return listing;
        }
        case 'snapshots-take':
          return snapshots.take();
        case 'snapshots-restore':
          return snapshots.restore(request.id);
        case 'snapshots-extract':
          await snapshots.extractCollection(request.id, request.target);
          return snapshots.mediaFiles(request.id);
      }
    },
    failure(error) {
      if (error instanceof SnapshotError) return { reason: error.reason, message: error.message };
      return { reason: 'server-error', message: `The server could not do that: ${error instanceof Error ? error.message : String(error)}` };
    },
  };
}

/**
 * The control socket of a running server, for the headless commands. A server
 * that cannot open it still serves: the log says why (the commands then work on
 * the files, where the account's files held by the server refuse them).
 */
export async function serveSnapshotControl(
  baseFolder: string,
  snapshotsOf: (username: string) => AccountSnapshots,
  logger: Logger,
): Promise<ControlSocket | null> {
  try {
    return await openControlSocket(baseFolder, snapshotControlHandlers(snapshotsOf));
  } catch (error) {
    const reason = error instanceof ControlSocketError ? error.message : String(error);
    logger.warn('the control socket could not be opened; "anki-home-sync snapshots" cannot reach this server', { reason });
    return null;
  }
}
