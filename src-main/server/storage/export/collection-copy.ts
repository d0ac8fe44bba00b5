// The collection member of a package, made from a consistent image of the
// collection while a running server may keep writing to it. `VACUUM INTO` from
// a read-only connection copies the collection as one read transaction sees it
// (SQLite: "the VACUUM INTO command is transactional"), so a sync that commits
// meanwhile lands wholly after the copy or not at all; its writes wait in the
// WAL and are never blocked by the copy. The copy is in journal_mode=DELETE,
// as the reference closes a collection before packaging it
// (rslib/src/import_export/package/colpkg/export.rs, `self.close(...)`).
// Then, for the legacy form, the copy is downgraded to schema 11; for the
// latest, it is zstd-compressed at zstd's default level, as the reference's
// `Encoder::new(writer, 0)`. All of it is seconds of synchronous SQLite and
// zstd work for a large collection, so it runs in a worker thread
// (collection-copy-worker.ts), and inline only where a worker cannot start.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { writeTooNewPlaceholder } from './too-new-placeholder.js';
import { ZstdContext } from './zstd-context.js';
import { openDatabase } from '../sqlite.js';
import { downgradeFileToSchema11 } from '../schema/downgrade.js';

export interface CollectionCopyJob {
  /** The live collection, only read. */
  readonly source: string;
  /** Where the uncompressed copy is made; removed again when `compressedTo` is given. */
  readonly copy: string;
  /** Schema 11 (journal_mode=DELETE), for the legacy form. */
  readonly schema11: boolean;
  /** The zstd-compressed copy's path, for the latest form; null to keep the copy raw. */
  readonly compressedTo: string | null;
  /** Where to write the latest form's placeholder for old Anki (too-new-placeholder.ts); null for none. */
  readonly placeholder: string | null;
}

export interface CollectionCopy {
  /** The file to put in the package as it is. */
  readonly file: string;
  /** The placeholder collection for old Anki, when the job asked for one. */
  readonly placeholder: string | null;
  readonly size: number;
  readonly notes: number;
  readonly cards: number;
}

/** What a failed copy reports across the worker boundary: the error's code survives for the learner's sentence. */
export type CopyOutcome =
  { readonly ok: true; readonly copy: CollectionCopy } | { readonly ok: false; readonly message: string; readonly code: string | null };

/** The work itself, in whichever thread runs it. */
export async function copyCollectionNow(job: CollectionCopyJob): Promise<CollectionCopy> {
  const source = openDatabase(job.source, { readonly: true, fileMustExist: true });
  try {
    // A small page cache: the copy reads each page once, and memory stays flat for any size of collection.
    source.pragma(`cache_size = -${COPY_CACHE_KIB}`);
    source.prepare('VACUUM INTO ?').run(job.copy);
  } finally {
    source.close();
  }
  if (job.schema11) downgradeFileToSchema11(job.copy, { scratch: true });
  const counts = countRows(job.copy);
  if (job.placeholder !== null) writeTooNewPlaceholder(job.placeholder);
  if (job.compressedTo === null) return { file: job.copy, placeholder: job.placeholder, size: (await stat(job.copy)).size, ...counts };
  compressFile(job.copy, job.compressedTo);
  await rm(job.copy, { force: true });
  return { file: job.compressedTo, placeholder: job.placeholder, size: (await stat(job.compressedTo)).size, ...counts };
}

/** SQLite's page cache for the copy, in KiB (its default is 2 MB; better-sqlite3 raises it to 16 MB). */
const COPY_CACHE_KIB = 2048;
const COMPRESS_CHUNK_BYTES = 1024 * 1024;

/**
 * `from` as one zstd frame in the new file `to`, through two fixed buffers and one
 * context: this runs in the worker, whose thread may block, and its memory
 * stays flat (a stream would leave a buffer per chunk for the collector).
 */
function compressFile(from: string, to: string): void {
  const input = Buffer.allocUnsafe(COMPRESS_CHUNK_BYTES);
  const output = Buffer.allocUnsafe(ZstdContext.outputBound(COMPRESS_CHUNK_BYTES));
  const context = ZstdContext.take();
  const source = openSync(from, 'r');
  try {
    const target = openSync(to, 'wx', 0o600);
    try {
      for (;;) {
        const read = readSync(source, input, 0, input.length, null);
        const out = context.compress(input.subarray(0, read), output, read === 0);
        for (let offset = 0; offset < out.length;) offset += writeSync(target, out, offset, out.length - offset);
        if (read === 0) break;
      }
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
    context.release();
  }
}

function countRows(path: string): { notes: number; cards: number } {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { notes: count('notes'), cards: count('cards') };
  } finally {
    db.close();
  }
}

const WORKER = new URL('./collection-copy-worker.js', import.meta.url);

/** Thrown in this thread for a copy that failed in the worker, with the original error's code. */
export class CollectionCopyError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'CollectionCopyError';
  }
}

/** The copy, made in a worker thread of its own (exports are rare: none is kept warm). */
export function copyCollectionInBackground(job: CollectionCopyJob): Promise<CollectionCopy> {
  let worker: Worker;
  try {
    worker = new Worker(WORKER, { workerData: job });
  } catch {
    return copyCollectionNow(job);
  }
  return new Promise<CollectionCopy>((resolve, reject) => {
    let settled = false;
    worker.once('message', (outcome: CopyOutcome) => {
      settled = true;
      if (outcome.ok) resolve(outcome.copy);
      else reject(new CollectionCopyError(outcome.message, outcome.code));
      void worker.terminate();
    });
    worker.once('error', (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the collection copy's worker stopped (exit code ${code})`));
    });
  });
}
