// What the snapshot worker (snapshot-worker.ts) is asked to do, and running a
// job there. Each job gets a thread of its own: a snapshot is seconds of work,
// against a few hundred milliseconds to start a thread. Where a worker cannot
// start (an unusual packaging), the job runs inline.
import { Worker } from 'node:worker_threads';
import { compressToFile, decompressToFile } from './zstd-file.js';
import { checkUploadedCollection } from '../../collection/upload-check.js';

export type WorkerJob =
  | {
      readonly kind: 'compress';
      /** A descriptor of this process (threads share them), or the bytes. */
      readonly source: { fd: number; size: number } | { data: Buffer };
      readonly target: string;
      readonly level?: number;
      readonly lowPriority: boolean;
    }
  | { readonly kind: 'decompress'; readonly source: string; readonly target: string }
  | { readonly kind: 'check'; readonly path: string };

export type WorkerAnswer = { readonly ok: true; readonly bytes: number } | { readonly ok: false; readonly error: string };

const WORKER = new URL('./snapshot-worker.js', import.meta.url);

/** Thrown when a job fails; the message says why, for the log. */
export class WorkerJobError extends Error {}

function inline(job: WorkerJob): number {
  switch (job.kind) {
    case 'compress':
      return compressToFile(job.source, job.target, job.level);
    case 'decompress':
      decompressToFile(job.source, job.target);
      return 0;
    case 'check': {
      const verdict = checkUploadedCollection(job.path);
      if (!verdict.ok) throw new WorkerJobError(verdict.reason);
      return 0;
    }
  }
}

/** Runs `job` on a thread of its own; resolves with the bytes written (compress), rejects with WorkerJobError. */
export function runInWorker(job: WorkerJob): Promise<number> {
  let worker: Worker;
  try {
    worker = new Worker(WORKER);
  } catch {
    return new Promise((resolve) => resolve(inline(job)));
  }
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => number): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error instanceof Error ? error : new WorkerJobError(String(error)));
      }
    };
    worker.once('message', (answer: WorkerAnswer) =>
      settle(() => {
        if (!answer.ok) throw new WorkerJobError(answer.error);
        return answer.bytes;
      }),
    );
    worker.once('error', (error: unknown) =>
      settle(() => {
        throw new WorkerJobError(error instanceof Error ? error.message : String(error));
      }),
    );
    worker.once('exit', (code) =>
      settle(() => {
        throw new WorkerJobError(`the snapshot worker stopped (${code})`);
      }),
    );
    worker.postMessage(job);
  });
}
