// Runs the compiled tests with Node's built-in runner.
//
//   node scripts/run-tests.js            every test file under dist/test
//   node scripts/run-tests.js <filter>   only files whose path contains <filter>
//   node scripts/run-tests.js --fast     unit tests only: not the *.e2e.test.js files
//                                        (whole syncs, child processes, the browser, packaging)
//
// The tests get a private temp folder (TMPDIR, which os.tmpdir() honours, and
// what the processes they spawn inherit). Whatever is still in it when the run
// ends is a test that forgot to clean up: it is listed and the run fails. The
// folder itself is removed either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { collectTests } from './test-files.js';

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const filter = args.find((arg) => !arg.startsWith('--'));
const files = collectTests('dist/test', { fast, filter });
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}

// One line up front when the window's tests cannot run here (test/support/chromium.ts decides).
const { findChromium, inCi, CHROMIUM_MISSING } = await import('../dist/test/support/chromium.js');
if (findChromium() === null && files.some((file) => file.includes('renderer'))) {
  console.log(
    inCi() ? `✖ ${CHROMIUM_MISSING}; CI=true, so the browser tests will fail.` : `﹣ ${CHROMIUM_MISSING}; the browser tests are skipped.`,
  );
}

// The same for the container tests (test/support/podman.ts decides).
if (files.some((file) => file.includes('container'))) {
  const { containerSkipReason } = await import('../dist/test/support/podman.js');
  const reason = containerSkipReason();
  if (reason !== null) {
    console.log(inCi() ? `✖ ${reason}; CI=true, so the container tests will fail.` : `﹣ ${reason}; the container tests are skipped.`);
  }
}

const privateTemp = mkdtempSync(join(tmpdir(), 'ahs-test-run-'));
// Node 22+ tools (npm among them) may turn on the module compile cache, which lives in the temp folder.
const env = { ...process.env, TMPDIR: privateTemp, TMP: privateTemp, TEMP: privateTemp, NODE_DISABLE_COMPILE_CACHE: '1' };
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });

// Ctrl-C reaches the test processes too; the runner stays to remove the temp folder once they have stopped.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));

child.on('exit', (code, signal) => {
  const leftovers = readdirSync(privateTemp).sort();
  rmSync(privateTemp, { recursive: true, force: true });
  if (leftovers.length > 0) {
    console.error(
      `\n✖ the tests left ${leftovers.length} file(s) in the temp folder; remove them when the test or suite ends (see test/support/temp-folder.ts):`,
    );
    for (const name of leftovers) console.error(`  ${join(privateTemp, name)}`);
  }
  const testStatus = code ?? (signal ? 1 : 0);
  process.exit(testStatus !== 0 ? testStatus : leftovers.length > 0 ? 1 : 0);
});
