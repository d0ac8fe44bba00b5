// Worker-thread entry for the collection copy of an export (collection-copy.ts):
// VACUUM INTO, the schema-11 downgrade and zstd are seconds of synchronous work
// for a large collection, and the server's requests must not wait for them.
import { parentPort, workerData } from 'node:worker_threads';
import { copyCollectionNow, type CollectionCopyJob, type CopyOutcome } from './collection-copy.js';

async function run(): Promise<CopyOutcome> {
  try {
    return { ok: true, copy: await copyCollectionNow(workerData as CollectionCopyJob) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : null };
  }
}

void run().then((outcome) => parentPort?.postMessage(outcome));
