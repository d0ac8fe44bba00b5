// Copies of the collections written by real Anki, in a fresh temp folder per
// test: the shared fixtures are never opened in place.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REAL_ANKI_FIXTURES = '/work/shared/fixtures/real-anki';

export type RealAnkiFixture = 'v18-two-decks-16-notes' | 'v18-empty-stock-notetypes';

export interface FixtureCopy {
  readonly folder: string;
  readonly path: string;
  remove(): void;
}

export function copyRealAnkiFixture(name: RealAnkiFixture, fileName = 'collection.anki2'): FixtureCopy {
  const folder = mkdtempSync(join(tmpdir(), 'ahs-fixture-'));
  const path = join(folder, fileName);
  copyFileSync(join(REAL_ANKI_FIXTURES, `${name}.anki2`), path);
  return { folder, path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
