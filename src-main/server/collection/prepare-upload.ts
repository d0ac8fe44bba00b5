// Runs the upload check in a worker thread, so the event loop keeps serving
// other users meanwhile; where a worker cannot start or dies (an unusual
// packaging), the same check runs inline.
import { Worker } from 'node:worker_threads';
import { prepareUploadedCollection, type UploadVerdict } from './upload-check.js';

const WORKER = new URL('./upload-check-worker.js', import.meta.url);

export function prepareUploadInBackground(path: string): Promise<UploadVerdict> {
  let worker: Worker;
  try {
    worker = new Worker(WORKER);
  } catch {
    return Promise.resolve(prepareUploadedCollection(path));
  }
  return new Promise<UploadVerdict>((resolve, reject) => {
    let settled = false;
    const settle = (take: () => UploadVerdict): void => {
      if (settled) return;
      settled = true;
      try {
        resolve(take());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      void worker.terminate();
    };
    worker.once('message', (verdict: UploadVerdict) => settle(() => verdict));
    // A worker that cannot load (or dies) leaves the file as it was: the upgrade is one transaction.
    worker.once('error', () => settle(() => prepareUploadedCollection(path)));
    worker.once('exit', () => settle(() => prepareUploadedCollection(path)));
    worker.postMessage(path);
  });
}
