// One user's media: the `media/` folder and `media.db` beside it, laid out exactly
// as the official server lays them out. The dispatcher holds the user's lock
// around every call, so methods here never interleave for one user.
import { readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ServerFaultError } from '../errors.js';
import type { UserPaths } from '../storage/user-paths.js';
import { folderIgnoresCase, mediaFilePath } from '../storage/media-file-path.js';
import { MediaDatabase, type MediaChange } from './database/media-database.js';
import { forgetMissingFile } from './database/usn-rules.js';
import { buildDownloadZip, type DownloadFile } from './download/download-zip.js';
import { selectDownloadEntries } from './download/select-download.js';
import { applyStagedUpload, type UploadResult } from './upload/apply-upload.js';
import { STAGING_PREFIX, stageUploadZip } from './upload/read-upload-zip.js';
import { recoverStaging } from './upload/replace-journal.js';
import type { ZipSource } from './upload/zip-archive.js';
import { FILES_IN_FLIGHT, mapInParallel } from './in-parallel.js';
import { makeFolderSync } from '../storage/durable.js';
import { keepInTrash, syncTrash } from '../storage/snapshots/media-trash.js';
import type { MediaListEntry } from '../storage/snapshots/media-list.js';
import { restoreMediaSet, type MediaSetRestored } from './restore-media-set.js';

export type SanityAnswer = 'OK' | 'mediaSanity';

/** What changed since the last mediaSanity call, for the activity list. */
export interface MediaSyncTally {
  filesReceived: number;
  deletionsReceived: number;
  filesSent: number;
}

export class MediaStore {
  private tally: MediaSyncTally = { filesReceived: 0, deletionsReceived: 0, filesSent: 0 };

  private constructor(
    private readonly paths: UserPaths,
    private readonly db: MediaDatabase,
    private readonly folderIgnoresCase: boolean,
  ) {}

  /**
   * Creates the user folder, `media/` and `media.db` if absent (the official server
   * does this for every user at start-up), migrates an older `media.db`, and
   * removes staging folders a crash left behind.
   */
  static open(paths: UserPaths, options: { folderIgnoresCase?: boolean } = {}): MediaStore {
    makeFolderSync(paths.mediaFolder);
    const db = MediaDatabase.open(paths.mediaDb);
    const committedSha1 = (fname: string): string | null => {
      const entry = db.liveEntry(fname);
      return entry === undefined ? null : entry.csum.toString('hex');
    };
    for (const entry of readdirSync(paths.mediaFolder, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name.startsWith(STAGING_PREFIX)) {
        const staging = join(paths.mediaFolder, entry.name);
        // An upload a crash interrupted before its commit is undone first (replace-journal.ts).
        recoverStaging(staging, paths.mediaFolder, committedSha1);
        rmSync(staging, { recursive: true, force: true });
      }
    }
    const ignoresCase = options.folderIgnoresCase ?? folderIgnoresCase(paths.mediaFolder);
    return new MediaStore(paths, db, ignoresCase);
  }

  close(): void {
    this.db.close();
  }

  lastUsn(): number {
    return this.db.lastUsn();
  }

  /** The bytes of every live file, as media.db counts them. */
  totalBytes(): number {
    return this.db.meta().totalBytes;
  }

  /** Every live file and its sha1: the media a snapshot taken now lists. */
  liveFiles(): MediaListEntry[] {
    return this.db.liveFiles();
  }

  /** Makes the live files exactly `wanted` (a snapshot's media), each difference a change with a new usn. */
  restoreMediaSet(wanted: readonly MediaListEntry[]): MediaSetRestored {
    return restoreMediaSet(this.db, this.paths, wanted, Math.floor(Date.now() / 1000));
  }

  changesAfter(lastUsn: number): MediaChange[] {
    return this.db.changesAfter(lastUsn);
  }

  /** Validates the whole zip, then applies it atomically; 400 and no change if anything in it is wrong. */
  async uploadChanges(zip: ZipSource): Promise<UploadResult> {
    const staged = await stageUploadZip(zip, this.paths.mediaFolder);
    try {
      const result = applyStagedUpload(this.db, this.paths.mediaFolder, staged, Math.floor(Date.now() / 1000), {
        folderIgnoresCase: this.folderIgnoresCase,
        trash: {
          keep: (path, sha1) => keepInTrash(this.paths.mediaTrash, path, sha1),
          trashed: () => syncTrash(this.paths.mediaTrash),
        },
      });
      for (const outcome of result.outcomes) {
        if (outcome === 'added' || outcome === 'replaced') this.tally.filesReceived++;
        if (outcome === 'removed') this.tally.deletionsReceived++;
      }
      return result;
    } finally {
      await staged.discard();
    }
  }

  /** The zip for a downloadFiles request; 409 if a name is unknown, deleted, or missing from disk. */
  async downloadFiles(fnames: readonly string[]): Promise<Buffer> {
    const entries = selectDownloadEntries(this.db, fnames);
    const files: DownloadFile[] = await mapInParallel(entries, FILES_IN_FLIGHT, async (entry) => ({
      fname: entry.fname,
      data: await this.readMediaFile(entry.fname),
    }));
    this.tally.filesSent += files.length;
    return buildDownloadZip(files);
  }

  sanityCheck(localCount: number): SanityAnswer {
    return this.db.meta().totalNonemptyFiles === localCount ? 'OK' : 'mediaSanity';
  }

  /** Returns and resets the tally of what moved since the last call. */
  takeTally(): MediaSyncTally {
    const tally = this.tally;
    this.tally = { filesReceived: 0, deletionsReceived: 0, filesSent: 0 };
    return tally;
  }

  private async readMediaFile(fname: string): Promise<Buffer> {
    const path = mediaFilePath(this.paths.mediaFolder, fname);
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ServerFaultError(`reading media file ${JSON.stringify(fname)}: ${(error as Error).message}`, { cause: error });
      }
    }
    // Probably an interrupted deletion. Forgetting the row without a tombstone
    // keeps the loss from spreading to other devices; the client's retry succeeds
    // without the file, and a device that has it uploads it again.
    this.db.transact((meta) => forgetMissingFile(this.db, meta, fname));
    throw new ConflictError(`requested a file that doesn't exist: ${fname}`);
  }
}
