// A clone in any folder must pass its tests: no source, test, bench or script
// names a path outside the repository, and every document a comment cites
// (`docs/…md`, a README) is in the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesBelow } from '../support/files-below.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

const FOLDERS = ['src-main', 'src-renderer', 'test', 'bench', 'scripts', 'native', 'proto', 'bin', '.ci'];
const SKIP = new Set(['fixtures', 'artifacts', 'build']);

const sources = (dir: string): string[] => filesBelow(dir, /\.(ts|cts|js|mjs|cjs|c|h|gyp|proto|sh)$|^run$/, SKIP);

const files = FOLDERS.flatMap((folder) => sources(join(REPO_ROOT, folder))).map((path) => relative(REPO_ROOT, path).replace(/\\/g, '/'));
// This file names the patterns it looks for.
const THIS_FILE = 'test/app/self-contained.test.ts';

test('no file names an absolute path into the machine it was written on, or the folder beside the repository', () => {
  assert.ok(files.length > 100, `sources found: ${files.length}`);
  const outside = /\/work\/|shared\/(fixtures|protocol|notes|hooks)\//;
  const offenders = files.filter((file) => file !== THIS_FILE && outside.test(readFileSync(join(REPO_ROOT, file), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('every document a source cites is in the repository', () => {
  const cited = new Map<string, string>();
  for (const file of files) {
    if (file === THIS_FILE) continue;
    for (const match of readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/\b((?:docs|test\/fixtures)\/[\w./-]+\.md)\b/g))
      cited.set(match[1]!, file);
  }
  assert.ok(cited.size >= 2, `citations found: ${[...cited.keys()].join(', ')}`);
  const missing = [...cited].filter(([doc]) => !existsSync(join(REPO_ROOT, doc))).map(([doc, by]) => `${doc} (cited by ${by})`);
  assert.deepEqual(missing, []);
  // Bare names of the protocol documents, without their folder, send a reader nowhere.
  const bare = files.filter(
    (file) =>
      file !== THIS_FILE && /(?<![\w/])(collection-sync|transport-auth-media)\.md/.test(readFileSync(join(REPO_ROOT, file), 'utf8')),
  );
  assert.deepEqual(bare, []);
});
