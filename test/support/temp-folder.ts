// Temporary folders for tests, in the OS temp folder. Every folder made here is
// removed when this test process exits, pass or fail, so a test that stops at a
// failed assertion before its own cleanup leaves nothing behind either.
// `scripts/run-tests.js` fails the run if anything is left in the temp folder.
// Removal at exit works on open SQLite files too (Linux and macOS unlink them);
// anything the test spawned must have stopped by then: wait for it in an after hook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const folders = new Set<string>();

function removeAll(): void {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

/** A new empty folder `<parent>/<prefix>XXXXXX` (parent: the OS temp folder), removed at the latest when this process exits. */
export function makeTempFolder(prefix: string, parent = tmpdir()): string {
  const folder = mkdtempSync(join(parent, prefix));
  if (folders.size === 0) process.once('exit', removeAll);
  folders.add(folder);
  return folder;
}
