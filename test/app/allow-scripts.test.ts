// `npm install && npm start` on a normal machine: Electron's install script is
// what downloads its binary, and npm's allowScripts skips a package's scripts
// when it is denied with false (npm 11 only warns today; the policy is to skip).
// Denied, `npm start` and the Electron smoke test in CI had no Electron to run.
// Our own machines keep skipping the download with ELECTRON_SKIP_BINARY_DOWNLOAD
// (.ci/run), which Electron's install script reads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

test("package.json allows electron's install script; .ci/run still skips the binary download", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  assert.equal(pkg.allowScripts['electron'], true);
  // The natives we compile or download on install are allowed too.
  assert.equal(pkg.allowScripts['argon2'], true);
  assert.equal(pkg.allowScripts['zstd-napi'], true);
  const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^export ELECTRON_SKIP_BINARY_DOWNLOAD=1$/m);
  assert.ok(ci.indexOf('ELECTRON_SKIP_BINARY_DOWNLOAD=1') < ci.indexOf('npm ci'), 'set before npm ci');
  // Electron's postinstall is the download, and it honours that variable.
  const electron = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(electron.scripts['postinstall'] ?? '', /node install\.js/);
  assert.match(readFileSync(join(REPO_ROOT, 'node_modules', 'electron', 'install.js'), 'utf8'), /ELECTRON_SKIP_BINARY_DOWNLOAD/);
});
