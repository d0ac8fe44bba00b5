// Runs the upload check in a worker thread, so the event loop keeps serving
// other users meanwhile; where a worker cannot start or dies (an unusual
// packaging), the same check runs inline.
//
// Starting a worker costs more than checking a small collection (it loads
// SQLite and this module graph again: ~0.1–0.7 s on a loaded two-core machine,
// against ~0.2 s for the whole check of 5,000 notes, bench/full-sync.bench.ts),
// so one worker is kept warm for the server's life: started on first use,
// reused, and unref'd while idle so it never keeps the process alive. Checks
// that arrive while it is busy get a worker of their own, ended afterwards.
import { Worker } from 'node:worker_threads';
import { prepareUploadedCollection, type UploadVerdict } from './upload-check.js';

const WORKER = new URL('./upload-check-worker.js', import.meta.url);

/** The warm worker, waiting for its next check; null while busy or not started. */
let idle: Worker | null = null;

function takeWorker(): Worker {
  const warm = idle;
  idle = null;
  if (warm !== null) {
    warm.ref();
    return warm;
  }
  return newWorker();
}

/** A worker that answered goes back to waiting, unless one already waits. */
function giveBack(worker: Worker): void {
  if (idle === null) {
    worker.unref();
    idle = worker;
  } else {
    void worker.terminate();
  }
}

/** A worker that ended (it died, or was terminated) is not reused. */
function forget(worker: Worker): void {
  if (idle === worker) idle = null;
}

function newWorker(): Worker {
  const worker = new Worker(WORKER);
  worker.on('error', () => forget(worker));
  worker.on('exit', () => forget(worker));
  return worker;
}

export function prepareUploadInBackground(path: string): Promise<UploadVerdict> {
  let worker: Worker;
  try {
    worker = takeWorker();
  } catch {
    return Promise.resolve(prepareUploadedCollection(path));
  }
  return new Promise<UploadVerdict>((resolve, reject) => {
    let settled = false;
    const onMessage = (verdict: UploadVerdict): void => settle(() => verdict, true);
    // A worker that cannot load (or dies) leaves the file as it was: the upgrade is one transaction.
    const onEnd = (): void => settle(() => prepareUploadedCollection(path), false);
    const settle = (take: () => UploadVerdict, reusable: boolean): void => {
      if (settled) return;
      settled = true;
      worker.off('message', onMessage);
      worker.off('error', onEnd);
      worker.off('exit', onEnd);
      try {
        resolve(take());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (reusable) giveBack(worker);
      else void worker.terminate();
    };
    worker.on('message', onMessage);
    worker.on('error', onEnd);
    worker.on('exit', onEnd);
    worker.postMessage(path);
  });
}

/** Ends the warm worker (tests that count threads; the process exits without this). */
export async function stopUploadWorker(): Promise<void> {
  const worker = idle;
  idle = null;
  await worker?.terminate();
}
