// How full the storage disk is, watched for the whole server: the window, the
// tray, the log and the learners' `meta` messages all read it from here. Home
// servers run out of space (a small SSD, a NAS share, a laptop full of video);
// the owner should hear of it before a sync fails, and once writes fail, every
// learner should be told why in words, not only by a status.
import { statfsSync } from 'node:fs';
import type { Logger } from '../report/log.js';
import type { LearnerNotice } from '../report/learner-notices.js';

const MIB = 1024 * 1024;

/** Below this much free space (or twice an account's own size, when that is more) the disk counts as nearly full. */
export const LOW_SPACE_FLOOR_BYTES = 256 * MIB;

/** statfs is cheap, but a request needs no fresher reading than this. */
const READING_MAX_AGE_MS = 5_000;

export interface SpaceView {
  readonly freeBytes: number;
  readonly totalBytes: number;
  /** The free space below which the disk counts as nearly full, for the server as a whole. */
  readonly lowBytes: number;
  readonly low: boolean;
  /** Since when writes have been refused for lack of space (ms since the epoch), or null. */
  readonly failingSince: number | null;
}

export interface StorageSpaceOptions {
  /** SYNC_LOW_SPACE_MEGS: the owner's threshold, which replaces the default one. */
  readonly lowSpaceMegs?: number;
  readonly logger: Logger;
  /** Told whenever low or failing changes, so the window and the tray follow. */
  readonly onChange?: (view: SpaceView) => void;
  readonly now?: () => number;
  /** Reads the disk; statfs of the folder by default. */
  readonly measure?: (folder: string) => { freeBytes: number; totalBytes: number };
}

export function measureDisk(folder: string): { freeBytes: number; totalBytes: number } {
  const stats = statfsSync(folder);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}

export class StorageSpace {
  private reading: { freeBytes: number; totalBytes: number; at: number } | null = null;
  private lowSince: number | null = null;
  private failingSince: number | null = null;
  private readonly now: () => number;
  private readonly measure: (folder: string) => { freeBytes: number; totalBytes: number };

  constructor(
    private readonly folder: string,
    private readonly options: StorageSpaceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.measure = options.measure ?? measureDisk;
  }

  /** The free space below which an account of `accountBytes` (collection and media) counts the disk as nearly full. */
  lowBytesFor(accountBytes = 0): number {
    if (this.options.lowSpaceMegs !== undefined) return this.options.lowSpaceMegs * MIB;
    return Math.max(LOW_SPACE_FLOOR_BYTES, 2 * accountBytes);
  }

  /** The disk as it stands, read again when the last reading is older than a few seconds (or `fresh`). */
  view(fresh = false): SpaceView {
    const now = this.now();
    if (fresh || this.reading === null || now - this.reading.at > READING_MAX_AGE_MS) {
      try {
        this.reading = { ...this.measure(this.folder), at: now };
      } catch {
        // The folder is gone (storage-presence.ts reports that); keep the last reading.
      }
      this.update();
    }
    return this.current();
  }

  /** A write went through: writes are no longer failing for lack of space. */
  noteWriteSucceeded(): void {
    if (this.failingSince === null) return;
    this.failingSince = null;
    this.reading = null;
    this.options.logger.info('writes succeed again on the storage disk', { path: this.folder });
    this.update(true);
  }

  /** A write was refused for lack of space (a 507). */
  noteOutOfSpace(): void {
    const wasFailing = this.failingSince !== null;
    this.failingSince ??= this.now();
    this.reading = null;
    if (!wasFailing) {
      this.options.logger.error('writes are refused: the storage disk is full; free some space and syncing resumes by itself', {
        path: this.folder,
      });
      this.update(true);
    }
  }

  /**
   * What a learner whose account takes `accountBytes` is told in Anki: that
   * writes fail for lack of space, or that the disk is nearly full; null when
   * neither. The id changes with each new episode, so each is told once per device.
   */
  notice(accountBytes: number): LearnerNotice | null {
    const view = this.view(true);
    if (view.failingSince !== null) {
      return {
        id: `storage-full-${view.failingSince}`,
        text:
          "The sync server's storage is full, so it could not save your latest changes. Nothing on this device was lost. " +
          'Please ask the person who runs the sync server to free some space, then sync again.',
      };
    }
    if (view.freeBytes >= this.lowBytesFor(accountBytes)) return null;
    return {
      id: `storage-low-${this.lowSince ?? 'account'}`,
      text:
        `The sync server's storage is almost full: ${formatBytes(view.freeBytes)} left. Syncing still works for now. ` +
        'Please tell the person who runs the sync server, so they can free some space.',
    };
  }

  private current(): SpaceView {
    const lowBytes = this.lowBytesFor();
    const freeBytes = this.reading?.freeBytes ?? Number.MAX_SAFE_INTEGER;
    return {
      freeBytes,
      totalBytes: this.reading?.totalBytes ?? 0,
      lowBytes,
      low: this.lowSince !== null,
      failingSince: this.failingSince,
    };
  }

  /** Moves between ok, low and failing from the latest reading, saying so once at each crossing. */
  private update(changed = false): void {
    if (this.reading === null) return;
    const { freeBytes } = this.reading;
    const low = freeBytes < this.lowBytesFor();
    if (low && this.lowSince === null) {
      this.lowSince = this.now();
      this.options.logger.warn('the storage disk is almost full', { path: this.folder, free: formatBytes(freeBytes) });
      changed = true;
    } else if (!low && this.lowSince !== null) {
      this.lowSince = null;
      this.options.logger.info('the storage disk has room again', { path: this.folder, free: formatBytes(freeBytes) });
      changed = true;
    }
    // Failing ends once the space that failed is back above the threshold; a write that fails again starts it anew.
    if (!low && this.failingSince !== null) {
      this.failingSince = null;
      changed = true;
    }
    if (changed) this.options.onChange?.(this.current());
  }
}

/** 1.2 GB, 340 MB, 12 KB: decimal units, as file managers show free space. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} ${units[0]}` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
