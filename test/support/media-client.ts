// A media client that follows the reference client's algorithm (rslib
// sync/media/syncer.rs, docs/protocol/transport-auth-media.md §4.10) against a real media folder and its
// own media database, so tests see exactly the requests a real device makes.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MediaApi, type MediaChangeRecord, type MediaTransport } from './media-api.js';
import { downloadZipFileCount, readDownloadZip } from './media-zip-reader.js';
import { storedUploadZip } from './media-zips.js';
import { requestOnTheWire, sentAhead } from './request-ahead.js';

const MAX_FILES_IN_ZIP = 25;
const TARGET_ZIP_BYTES = Math.trunc(2.5 * 1024 * 1024);
const MAX_FILE_SIZE = 100 * 1024 * 1024;
const NONSYNCABLE = /^(thumbs\.db|\.ds_store)$/i;

/** The server answered mediaSanity: the client wiped its media state and asks the user to sync again. */
export class ResyncRequiredError extends Error {
  constructor() {
    super('media sync: resync required');
  }
}

interface LocalEntry {
  fname: string;
  csum: string | null;
  dirty: number;
}

/** What one sync did, by request, for tests that check which calls a sync makes. */
export interface MediaSyncReport {
  readonly calls: string[];
  readonly downloaded: string[];
  readonly deleted: string[];
  readonly uploadReplies: { processed: number; currentUsn: number }[];
}

export class MediaClient {
  api: MediaApi;
  private readonly db: Database.Database;

  constructor(
    readonly folder: string,
    dbPath: string,
    transport: MediaTransport,
  ) {
    mkdirSync(folder, { recursive: true });
    this.api = new MediaApi(transport);
    this.db = new Database(dbPath);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS media (fname TEXT NOT NULL PRIMARY KEY, csum TEXT, mtime INT NOT NULL DEFAULT 0, dirty INT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (lastUsn INT NOT NULL);
      INSERT INTO meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM meta);`);
  }

  /** Points later syncs at another server (same folder, same local state). */
  withTransport(transport: MediaTransport): this {
    this.api = new MediaApi(transport);
    return this;
  }

  close(): void {
    this.db.close();
  }

  // -- the media folder, as a user or an add-on would touch it ----------------

  addFile(fname: string, data: Buffer | string): void {
    writeFileSync(join(this.folder, fname), data);
  }

  removeFile(fname: string): void {
    unlinkSync(join(this.folder, fname));
  }

  readFile(fname: string): Buffer {
    return readFileSync(join(this.folder, fname));
  }

  fileNames(): string[] {
    return readdirSync(this.folder).sort();
  }

  lastUsn(): number {
    return (this.db.prepare('SELECT lastUsn FROM meta').get() as { lastUsn: number }).lastUsn;
  }

  /** Rows with a checksum: the files this client believes it has (what it sends to mediaSanity). */
  localCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM media WHERE csum IS NOT NULL').get() as { n: number }).n;
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM media WHERE dirty = 1').get() as { n: number }).n;
  }

  // -- the sync -----------------------------------------------------------------

  /**
   * One media sync. `serverUsn` is `media_usn` from a collection sync's meta (23.10+
   * clients then skip begin); without it the client calls begin, as the periodic
   * sync does.
   */
  async sync(serverUsn?: number): Promise<MediaSyncReport> {
    const report: MediaSyncReport = { calls: [], downloaded: [], deleted: [], uploadReplies: [] };
    this.registerChanges();
    const clientUsn = this.lastUsn();
    if (serverUsn === undefined) {
      report.calls.push('begin');
      serverUsn = (await this.api.begin()).usn;
    }
    let acted = false;
    if (clientUsn !== serverUsn) {
      await this.fetchChanges(report);
      acted = true;
    }
    if (this.pendingCount() > 0) {
      await this.sendChanges(report);
      acted = true;
    }
    if (acted) {
      report.calls.push('mediaSanity');
      if ((await this.api.mediaSanity(this.localCount())) !== 'OK') {
        this.db.exec('DELETE FROM media; UPDATE meta SET lastUsn = 0');
        throw new ResyncRequiredError();
      }
    }
    return report;
  }

  /**
   * The change tracker: a file whose mtime differs from the recorded one is hashed,
   * and marked for upload if new or if its content changed. (The reference keys on
   * whole seconds and the folder's mtime; milliseconds keep quick tests honest.)
   */
  registerChanges(): void {
    const known = new Map(
      (
        this.db.prepare('SELECT fname, csum, mtime, dirty FROM media WHERE csum IS NOT NULL').all() as (LocalEntry & { mtime: number })[]
      ).map((e) => [e.fname, e]),
    );
    const upsert = this.db.prepare('INSERT OR REPLACE INTO media (fname, csum, mtime, dirty) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const fname of readdirSync(this.folder)) {
        if (NONSYNCABLE.test(fname) || fname.normalize('NFC') !== fname) continue;
        const stat = statSync(join(this.folder, fname));
        if (!stat.isFile() || stat.size === 0 || stat.size > MAX_FILE_SIZE) continue;
        const previous = known.get(fname);
        known.delete(fname);
        const mtime = Math.round(stat.mtimeMs);
        if (previous !== undefined && previous.mtime === mtime) continue;
        const sha1 = sha1hex(readFileSync(join(this.folder, fname)));
        upsert.run(fname, sha1, mtime, previous !== undefined && previous.csum === sha1 ? previous.dirty : 1);
      }
      // In the database with a checksum but gone from the folder: a local deletion.
      for (const fname of known.keys()) upsert.run(fname, null, 0, 1);
    })();
  }

  private entry(fname: string): LocalEntry | undefined {
    return this.db.prepare('SELECT fname, csum, dirty FROM media WHERE fname = ?').get(fname) as LocalEntry | undefined;
  }

  private async fetchChanges(report: MediaSyncReport): Promise<void> {
    let lastUsn = this.lastUsn();
    for (;;) {
      report.calls.push('mediaChanges');
      const batch = await this.api.mediaChanges(lastUsn);
      if (batch.length === 0) break;
      lastUsn = batch.at(-1)![1];
      const { toDownload, toDelete, toMarkClean } = this.requiredChanges(batch);

      for (const fname of toDelete) rmSync(join(this.folder, fname), { force: true });
      report.deleted.push(...toDelete);

      const downloaded: { fname: string; sha1: string }[] = [];
      let remaining = toDownload;
      const request = (): Promise<Buffer> => {
        report.calls.push('downloadFiles');
        return sentAhead(this.api.downloadFiles(remaining.slice(0, MAX_FILES_IN_ZIP)));
      };
      // The next zip is asked for as soon as this one's directory says how
      // many files it holds, and this one's files are written while the
      // server builds the next: one request on the wire at a time, in the
      // reference's order.
      let reply = remaining.length > 0 ? request() : null;
      try {
        while (reply !== null) {
          const body = await reply;
          const count = await downloadZipFileCount(body);
          if (count <= 0) throw new Error('downloadFiles answered an empty zip: the client would loop forever');
          remaining = remaining.slice(count);
          reply = remaining.length > 0 ? request() : null;
          if (reply !== null) await requestOnTheWire();
          const zip = await readDownloadZip(body);
          if (zip.members.length !== count) throw new Error(`download zip: ${zip.members.length} files, but its directory lists ${count}`);
          for (const member of zip.members) {
            writeFileSync(join(this.folder, member.fname), member.data);
            downloaded.push({ fname: member.fname, sha1: sha1hex(member.data) });
          }
        }
      } finally {
        await reply?.catch(() => undefined);
      }
      report.downloaded.push(...downloaded.map((d) => d.fname));

      const usnForBatch = lastUsn;
      this.db.transaction(() => {
        const clean = this.db.prepare('UPDATE media SET dirty = 0 WHERE fname = ?');
        const remove = this.db.prepare('DELETE FROM media WHERE fname = ?');
        const add = this.db.prepare('INSERT OR REPLACE INTO media (fname, csum, mtime, dirty) VALUES (?, ?, ?, 0)');
        for (const fname of toMarkClean) clean.run(fname);
        for (const fname of toDelete) remove.run(fname);
        for (const file of downloaded) add.run(file.fname, file.sha1, Math.round(statSync(join(this.folder, file.fname)).mtimeMs));
        this.db.prepare('UPDATE meta SET lastUsn = ?').run(usnForBatch);
      })();
    }
  }

  /** The reference client's decision table (determine_required_change). */
  private requiredChanges(batch: MediaChangeRecord[]): { toDownload: string[]; toDelete: string[]; toMarkClean: string[] } {
    const toDownload: string[] = [];
    const toDelete: string[] = [];
    const toMarkClean: string[] = [];
    for (const [fname, , remoteSha1] of batch) {
      const local = this.entry(fname);
      const localSha1 = local?.csum ?? '';
      const pending = local !== undefined && local.dirty === 1;
      const action = requiredChange(localSha1, remoteSha1, local === undefined ? 'not-in-db' : pending ? 'pending' : 'not-pending');
      if (action === 'download') toDownload.push(fname);
      else if (action === 'delete') toDelete.push(fname);
      else if (action === 'mark-clean') toMarkClean.push(fname);
    }
    return { toDownload, toDelete, toMarkClean };
  }

  private async sendChanges(report: MediaSyncReport): Promise<void> {
    let batch = await this.nextUpload();
    while (batch !== null) {
      report.calls.push('uploadChanges');
      const replied = sentAhead(this.api.uploadChanges(batch.zip));
      // While the server stores this batch, read and zip the next one,
      // assuming this one is taken whole; it is rebuilt if not.
      await requestOnTheWire();
      const ahead = await this.peekUpload(batch.entries.map(([fname]) => fname)).catch(async (error: unknown) => {
        await replied.catch(() => undefined);
        throw error;
      });
      const reply = await replied;
      report.uploadReplies.push(reply);
      const done = batch.pending.slice(0, reply.processed);
      this.db.transaction(() => {
        const clean = this.db.prepare('UPDATE media SET dirty = 0 WHERE fname = ?');
        for (const entry of done) clean.run(entry.fname);
        // Only when nobody else changed anything and nothing was a no-op.
        if (this.lastUsn() + done.length === reply.currentUsn) {
          this.db.prepare('UPDATE meta SET lastUsn = ?').run(reply.currentUsn);
        }
      })();
      batch = ahead !== null && reply.processed === batch.entries.length ? ahead : await this.nextUpload();
    }
  }

  /** The next batch to upload, as the reference client picks it: files that cannot be read are dropped from the database first. */
  private async nextUpload(): Promise<UploadBatch | null> {
    for (;;) {
      const batch = await this.uploadBatch([]);
      if (batch === null || !('invalid' in batch)) return batch;
      const remove = this.db.prepare('DELETE FROM media WHERE fname = ?');
      for (const fname of batch.invalid) remove.run(fname);
    }
  }

  /** The batch that will follow once `sent` are clean, without changing anything; null if there is none or it needs the database changed. */
  private async peekUpload(sent: readonly string[]): Promise<UploadBatch | null> {
    const batch = await this.uploadBatch(sent);
    return batch === null || 'invalid' in batch ? null : batch;
  }

  /** The batch after `skip`, zipped; or the files that must be dropped before there can be one. */
  private async uploadBatch(skip: readonly string[]): Promise<UploadBatch | { invalid: string[] } | null> {
    const pending = this.pendingUploads(MAX_FILES_IN_ZIP, skip);
    if (pending.length === 0) return null;
    const entries = this.gatherForUpload(pending);
    if (!Array.isArray(entries)) return entries;
    return { pending, entries, zip: storedUploadZip(entries) };
  }

  /** The first `limit` dirty rows, leaving out `skip` (rows about to be marked clean). */
  private pendingUploads(limit: number, skip: readonly string[]): LocalEntry[] {
    const rows = this.db.prepare('SELECT fname, csum, dirty FROM media WHERE dirty = 1 LIMIT ?').all(limit + skip.length) as LocalEntry[];
    const skipped = new Set(skip);
    return rows.filter((row) => !skipped.has(row.fname)).slice(0, limit);
  }

  /** Files to zip, up to 25 and just past 2.5 MiB; if any file is unreadable or empty, the names to drop instead. */
  private gatherForUpload(pending: LocalEntry[]): [string, Buffer | null][] | { invalid: string[] } {
    const entries: [string, Buffer | null][] = [];
    const invalid: string[] = [];
    let total = 0;
    for (const entry of pending) {
      if (total > TARGET_ZIP_BYTES) break;
      if (entry.csum === null) {
        entries.push([entry.fname, null]);
        continue;
      }
      let data: Buffer;
      try {
        data = readFileSync(join(this.folder, entry.fname));
      } catch {
        invalid.push(entry.fname);
        continue;
      }
      if (data.length === 0 || data.length > MAX_FILE_SIZE) {
        invalid.push(entry.fname);
        continue;
      }
      total += data.length;
      entries.push([entry.fname, data]);
    }
    return invalid.length === 0 ? entries : { invalid };
  }
}

interface UploadBatch {
  /** The dirty rows it was picked from, in order; the reply's `processed` counts from the first. */
  readonly pending: LocalEntry[];
  readonly entries: [string, Buffer | null][];
  readonly zip: Buffer;
}

export type RequiredChange = 'none' | 'download' | 'delete' | 'mark-clean';

/** determine_required_change from rslib sync/media/changes.rs, as a table. */
export function requiredChange(localSha1: string, remoteSha1: string, state: 'not-in-db' | 'not-pending' | 'pending'): RequiredChange {
  if (localSha1 === '' && remoteSha1 === '') return state === 'not-in-db' ? 'none' : 'delete';
  if (localSha1 === '') return 'download';
  if (remoteSha1 === '') return state === 'pending' ? 'none' : 'delete';
  if (localSha1 === remoteSha1) return state === 'pending' ? 'mark-clean' : 'none';
  return 'download';
}

function sha1hex(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
