// Where the repository keeps the files its tests read: test/fixtures/, beside
// this folder in the source tree. Compiled tests run from dist/test/, so the
// path is taken from the repository root, never from the working directory.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's root folder (this file compiles to dist/test/support/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Collections written by real Anki (test/fixtures/real-anki/README.md). */
export const REAL_ANKI_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'real-anki');

/** The requests a real Anki 2.1.16 client sent (test/fixtures/wire-legacy-2.1.16/README.md). */
export const LEGACY_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'wire-legacy-2.1.16');
