// electron (and electron-store, which imports it) throws at load outside
// Electron, and the headless command and every test run in plain Node. Only the
// glue in src-main/app/ and the preload may name it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesBelow } from '../support/files-below.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMPILED = fileURLToPath(new URL('../../src-main/', import.meta.url));
const ELECTRON_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](electron|electron-store)['"]/;

const scripts = (dir: string): string[] => filesBelow(dir, /\.(c|m)?js$/);

test('nothing outside src-main/app and the preload imports electron or electron-store', () => {
  const all = scripts(COMPILED).map((path) => relative(COMPILED, path).replace(/\\/g, '/'));
  assert.ok(all.includes('app/main.js') && all.includes('controller/app-controller.js'), 'compiled tree found');
  const glue = all.filter((f) => ELECTRON_IMPORT.test(readFileSync(join(COMPILED, f), 'utf8')));
  assert.ok(glue.includes('app/main.js') && glue.includes('preload.cjs'), 'the check sees real imports');
  assert.deepEqual(
    glue.filter((f) => !f.startsWith('app/') && f !== 'preload.cjs'),
    [],
  );
});
