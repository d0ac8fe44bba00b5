// Memory the closed files freed, given back to the system. When an account goes
// quiet its collection and media.db close (quiet-timer.ts) and SQLite frees
// their page caches, but glibc keeps freed chunks that lie below the top of its
// heap: after 200 accounts synced and went quiet, the server's RSS stayed
// 100 MiB above idle, and malloc_trim(0) gave all of it back (issue 29's bench,
// bench/accounts-memory.bench.ts). MALLOC_ARENA_MAX and the trim and mmap
// thresholds changed nothing: the chunks are in the main heap, not at its top.
// Node cannot call malloc_trim; our SQLite extension can (native/unicase.c).
import { openDatabase } from './sqlite.js';

/** Accounts often go quiet together (a class's devices): one release after the first of a group closes. */
const SETTLE_MS = 1_000;

let pending: NodeJS.Timeout | null = null;

/** Gives malloc's free memory back to the system now: true where it can (glibc), false elsewhere. */
export function releaseFreeMemory(): boolean {
  const db = openDatabase(':memory:');
  try {
    return db.prepare('SELECT release_free_memory()').pluck().get() === 1;
  } finally {
    db.close();
  }
}

/** Once a moment from now, unless already planned; never keeps the process alive. */
export function releaseFreeMemorySoon(): void {
  if (pending !== null) return;
  pending = setTimeout(() => {
    pending = null;
    try {
      releaseFreeMemory();
    } catch {
      // Nothing depends on it: the memory stays with the process, as it did before.
    }
  }, SETTLE_MS);
  pending.unref();
}
