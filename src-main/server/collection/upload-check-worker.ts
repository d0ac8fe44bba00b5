// Worker-thread entry for prepareUploadedCollection: checking a large upload
// (integrity_check reads every page) takes seconds of synchronous SQLite work,
// and other users' requests must not wait for it.
import { parentPort } from 'node:worker_threads';
import { prepareUploadedCollection, type UploadVerdict } from './upload-check.js';

parentPort?.on('message', (path: string) => {
  let verdict: UploadVerdict;
  try {
    verdict = prepareUploadedCollection(path);
  } catch (error) {
    verdict = { ok: false, reason: String(error) };
  }
  parentPort!.postMessage(verdict);
});
