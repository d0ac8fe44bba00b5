// Another connection's read transaction on a database, held in a worker thread
// until released, as a snapshot being compressed or a download being sent holds
// one. Its state is shared memory, so a synchronous call on this thread can be
// checked against it: 1 while the read is held, 2 once it has ended. It ends by
// itself after `holdMs` if not released, so a caller that waits for readers
// (SQLite's busy timeout) sees it end while it waits.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const HOLDING = 1;
const ENDED = 2;

const workerSource = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const state = new Int32Array(workerData.state);
const db = new Database(workerData.path, { readonly: true });
db.exec('BEGIN');
db.prepare('SELECT count(*) FROM sqlite_master').get();
Atomics.store(state, 0, ${HOLDING});
Atomics.notify(state, 0);
Atomics.wait(state, 1, 0, workerData.holdMs);
db.exec('COMMIT');
db.close();
Atomics.store(state, 0, ${ENDED});
Atomics.notify(state, 0);
`;

export interface HeldReader {
  /** True while the worker's read transaction is open. */
  holding(): boolean;
  /** Ends the read and waits for the worker to finish. */
  release(): Promise<void>;
}

export async function holdReadTransaction(path: string, holdMs: number): Promise<HeldReader> {
  const state = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { path, holdMs, state: state.buffer, betterSqlite3: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  const failed: { error?: Error } = {};
  const exited = new Promise<void>((resolve) => {
    worker.once('error', (error: Error) => {
      failed.error = error;
    });
    worker.once('exit', () => resolve());
  });
  while (Atomics.load(state, 0) === 0) {
    if (failed.error !== undefined) throw failed.error;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    holding: () => Atomics.load(state, 0) === HOLDING,
    async release() {
      Atomics.store(state, 1, 1);
      Atomics.notify(state, 1);
      await exited;
      if (failed.error !== undefined) throw failed.error;
    },
  };
}
