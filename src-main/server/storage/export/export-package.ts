// `exportCollectionPackage`: an account's collection and media as a collection
// package (.colpkg) that Anki opens with File → Import.
import type { UserPaths } from '../user-paths.js';
import { ExportError } from './export-error.js';

/** What goes into a package. */
export interface PackageSource {
  /** A SQLite collection file (schema 18); read inside one read transaction, so a running server may keep writing. */
  readonly collection: string;
  /** Media files to include. */
  readonly media: readonly { name: string; path: string }[];
}

/** `legacy`: the Legacy1 form, for Anki before 2.1.50. */
export interface ExportOptions {
  readonly legacy?: boolean;
}

export interface ExportResult {
  readonly notes: number;
  readonly cards: number;
  readonly mediaFiles: number;
  readonly bytes: number;
}

export function exportCollectionPackage(_source: PackageSource, _outFile: string, _options: ExportOptions = {}): Promise<ExportResult> {
  return Promise.reject(new ExportError('Exporting a collection is not ready yet.'));
}

/** The account's live media: the files media.db knows as present. */
export function currentMediaFiles(_paths: UserPaths): Promise<{ name: string; path: string }[]> {
  return Promise.resolve([]);
}
