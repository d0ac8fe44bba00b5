// Runs every compiled test file with Node's built-in runner. Node 20's `--test`
// takes no globs, so the list is gathered here.
//
// The tests get a private temp folder (TMPDIR, which os.tmpdir() honours, and
// what the processes they spawn inherit). Whatever is still in it when the run
// ends is a test that forgot to clean up: it is listed and the run fails. The
// folder itself is removed either way.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.argv[2];
const files = collect('dist/test')
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}

// One line up front when the window's tests cannot run here (test/support/chromium.ts decides).
const { findChromium, inCi, CHROMIUM_MISSING } = await import('../dist/test/support/chromium.js');
if (findChromium() === null) {
  console.log(
    inCi() ? `✖ ${CHROMIUM_MISSING}; CI=true, so the browser tests will fail.` : `﹣ ${CHROMIUM_MISSING}; the browser tests are skipped.`,
  );
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
