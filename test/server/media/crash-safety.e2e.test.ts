// Kills a process in the middle of media uploads, many times, and checks what a
// restarted server finds: no half-written file under a media name, and no live
// row whose file is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaStore } from '../../../src-main/server/media/media-store.js';
import { STAGING_PREFIX } from '../../../src-main/server/media/upload/read-upload-zip.js';
import { isWhole } from '../../support/self-describing-file.js';
import { tempUserPaths } from '../../support/temp-user.js';

const child = fileURLToPath(new URL('../../support/media-upload-loop.js', import.meta.url));

/** Runs the upload loop until it has committed `afterUsn`, then kills it `delayMs` later with SIGKILL. */
function runAndKill(folder: string, afterUsn: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, folder], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let killing = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const usns = output.trim().split('\n').map(Number);
      if (!killing && usns.at(-1)! >= afterUsn) {
        killing = true;
        setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
    });
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code} ${signal}`))));
  });
}

test('killed mid-upload: no half file, no row pointing at a missing file', { timeout: 120_000 }, async () => {
  const paths = tempUserPaths('ahs-media-crash-');
  try {
    let usn = 0;
    for (let round = 0; round < 40; round++) {
      await runAndKill(paths.folder, usn + 1, (round * 17) % 45);
      const store = MediaStore.open(paths);
      try {
        assert.deepEqual(
          readdirSync(paths.mediaFolder).filter((n) => n.startsWith(STAGING_PREFIX)),
          [],
          'staging is cleaned at open',
        );
        const live = store.changesAfter(-1).filter(([, , sha1]) => sha1 !== '');
        for (const [fname] of live) {
          const path = join(paths.mediaFolder, fname);
          assert.ok(existsSync(path), `live row ${fname} has its file`);
        }
        for (const fname of readdirSync(paths.mediaFolder)) {
          assert.ok(isWhole(readFileSync(join(paths.mediaFolder, fname))), `${fname} is a whole file`);
        }
        assert.ok(store.lastUsn() >= usn);
        usn = store.lastUsn();
      } finally {
        store.close();
      }
    }
    assert.ok(usn > 40, 'the uploads made progress between kills');
  } finally {
    paths.remove();
  }
});
