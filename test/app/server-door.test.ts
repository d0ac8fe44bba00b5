// Issue 12, item 1: src-main/server/index.ts is the server's only door. Code
// outside server/ (the CLI, the controller, the settings, the Electron glue, the benches)
// imports from it and never deeper, so the server's insides can change shape
// freely. Checked on the sources, so a type-only import counts too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesBelow } from '../support/files-below.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

const SOURCES = join(REPO_ROOT, 'src-main');
const IMPORT = /(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g;

const sources = (dir: string): string[] => filesBelow(dir, /\.c?ts$/);

/** Imports of server modules other than the door, as "file: specifier". */
export function deepServerImports(root: string): string[] {
  const found: string[] = [];
  for (const path of sources(root)) {
    const file = relative(root, path).replace(/\\/g, '/');
    if (file.startsWith('server/')) continue;
    for (const [, specifier] of readFileSync(path, 'utf8').matchAll(IMPORT)) {
      if (specifier === undefined || !/(^|\/)server\//.test(specifier)) continue;
      if (!/(^|\/)server\/index\.js$/.test(specifier)) found.push(`${file}: ${specifier}`);
    }
  }
  return found;
}

test('nothing outside src-main/server imports a server module other than server/index.ts', () => {
  const users = sources(SOURCES).filter(
    (path) => !relative(SOURCES, path).startsWith('server') && /server\/index\.js/.test(readFileSync(path, 'utf8')),
  );
  assert.ok(users.length >= 5, 'the check sees the CLI, the controller and the app using the door');
  assert.deepEqual(deepServerImports(SOURCES), []);
});

test('the benches reach the server through its door too', () => {
  assert.deepEqual(deepServerImports(join(REPO_ROOT, 'bench')), []);
});
