// SYNC_BASE can go away under a running server: a USB drive unplugged, a network
// share dropped, leaving nothing or an empty mount point at its path. Opening a
// missing collection creates an empty one, and a device that then syncs sees an
// empty server and uploads to the wrong disk, while its data on the drive is
// forgotten. So before any request touches a user's files, the server's own
// folder (SYNC_BASE/.anki-home-sync, made at start) must still be there: it is
// on the drive the server started with, and on no empty folder in its place.
// While it is missing, requests are refused with 503 and nothing is created.
import { existsSync } from 'node:fs';
import { StorageMissingError } from '../errors.js';
import { serverFolder } from './user-paths.js';

export interface StorageChange {
  readonly present: boolean;
  /** For the learner and the log. */
  readonly sentence: string;
}

export class StoragePresence {
  private lost = false;
  private readonly marker: string;

  constructor(
    private readonly baseFolder: string,
    /** Told once when the folder goes, and once when it is back. */
    private readonly onChange: (change: StorageChange) => void,
  ) {
    this.marker = serverFolder(baseFolder);
  }

  /** Throws StorageMissingError while SYNC_BASE is not the folder the server started with. */
  check(): void {
    if (existsSync(this.marker)) {
      if (this.lost) {
        this.lost = false;
        this.onChange({ present: true, sentence: `The storage folder ${this.baseFolder} is back. Devices can sync again.` });
      }
      return;
    }
    if (!this.lost) {
      this.lost = true;
      this.onChange({
        present: false,
        sentence:
          `The storage folder ${this.baseFolder} is not there any more. If it is on a drive, reconnect the drive. ` +
          'Devices cannot sync until it is back, and nothing has been changed. ' +
          'If it was moved or deleted on purpose, set the storage folder again (SYNC_BASE, or Settings in the app) and restart.',
      });
    }
    throw new StorageMissingError(`storage folder missing: ${this.marker} is not there`);
  }
}
