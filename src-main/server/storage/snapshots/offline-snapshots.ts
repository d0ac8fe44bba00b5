// An account's snapshots when no server runs (the CLI on the files alone).
import type { AccountSnapshots, SnapshotOptions } from './snapshot-types.js';
import { SnapshotError } from './snapshot-types.js';

const notYet = (): Promise<never> => Promise.reject(new SnapshotError('no-such-snapshot', 'Snapshots are not ready yet.'));

/** The account's snapshots, read and changed on disk directly: only while no server runs on `baseFolder`. */
export function offlineSnapshots(_options: SnapshotOptions, _username: string): AccountSnapshots {
  return {
    list: notYet,
    take: notYet,
    restore: notYet,
    extractCollection: notYet,
    mediaFiles: notYet,
    spaceBytes: notYet,
  };
}
