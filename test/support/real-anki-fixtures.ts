// The collections written by real Anki (test/fixtures/real-anki/README.md). Tests copy a file
// to a temporary folder before opening it: the originals are read-only.

import { copyFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeTempFolder } from './temp-folder.js';

import { REAL_ANKI_FIXTURES } from './fixture-paths.js';

export { REAL_ANKI_FIXTURES };

/** The fixture file names matching a pattern, e.g. /^v18-.*\.anki2$/. Throws when none match. */
export function realAnkiFixtures(pattern: RegExp): string[] {
  const names = readdirSync(REAL_ANKI_FIXTURES)
    .filter((name) => pattern.test(name))
    .sort();
  if (names.length === 0) throw new Error(`no fixture matches ${pattern} in ${REAL_ANKI_FIXTURES}`);
  return names;
}

/** Copies one fixture into a fresh temporary folder and returns the copy's path. The folder is removed when the test process exits. */
export function copyRealAnkiFixture(name: string): string {
  const dir = makeTempFolder('anki-fixture-');
  const target = join(dir, basename(name));
  copyFileSync(join(REAL_ANKI_FIXTURES, name), target);
  return target;
}
