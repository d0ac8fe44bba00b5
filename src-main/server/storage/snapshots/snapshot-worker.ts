// The snapshot worker's thread: compression, decompression and the integrity
// check of a snapshot run here, so the event loop keeps serving every account
// meanwhile. A compression asks for low priority: on Linux a thread's nice
// value is its own (setpriority on thread 0 is the calling thread), so another
// account's sync keeps the CPU; elsewhere the call would lower the whole
// process, so it is not made.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { compressToFile, decompressToFile } from './zstd-file.js';
import { checkUploadedCollection } from '../../collection/upload-check.js';
import type { WorkerJob, WorkerAnswer } from './worker-jobs.js';

const LOW_PRIORITY = 19;

function run(job: WorkerJob): WorkerAnswer {
  switch (job.kind) {
    case 'compress':
      if (job.lowPriority && process.platform === 'linux') {
        try {
          setPriority(LOW_PRIORITY);
        } catch {
          // Not allowed here: it runs at normal priority.
        }
      }
      return { ok: true, bytes: compressToFile(job.source, job.target, job.level) };
    case 'decompress':
      decompressToFile(job.source, job.target);
      return { ok: true, bytes: 0 };
    case 'check': {
      const verdict = checkUploadedCollection(job.path);
      return verdict.ok ? { ok: true, bytes: 0 } : { ok: false, error: verdict.reason };
    }
  }
}

parentPort?.once('message', (job: WorkerJob) => {
  let answer: WorkerAnswer;
  try {
    answer = run(job);
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
