// Which media files go into a package, under which names. Anki refuses a whole
// package (ImportError::Corrupt) if one name in its list is not a single path
// component or is not in NFC (rslib/src/import_export/package/media.rs,
// `safe_normalized_file_name`), so names are put in NFC, as the reference's
// MediaIter does, and a name that still is not a plain file name (a path
// separator, "..", a control character) is left out rather than spoil the
// rest. A name that NFC makes equal to an earlier one is left out too: the
// importer would write both to one file.
import { unsafeMediaFilenameReason } from '../media-file-path.js';

export interface MediaSource {
  readonly name: string;
  readonly path: string;
}

export interface MediaSelection {
  readonly files: readonly MediaSource[];
  /** Names left out, with why: for the log, never thrown. */
  readonly skipped: readonly { name: string; reason: string }[];
}

export function selectPackageMedia(media: readonly MediaSource[]): MediaSelection {
  const files: MediaSource[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const file of media) {
    const name = file.name.normalize('NFC');
    // Linux's rules here: a package made on any system must open on every other, and Anki checks only separators.
    const unsafe = unsafeMediaFilenameReason(name, 'linux');
    if (unsafe !== null) skipped.push({ name: file.name, reason: unsafe });
    else if (seen.has(name)) skipped.push({ name: file.name, reason: 'another file has the same name in NFC' });
    else {
      seen.add(name);
      files.push({ name, path: file.path });
    }
  }
  return { files, skipped };
}
