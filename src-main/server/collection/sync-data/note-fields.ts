// What the receiving side derives from a note itself, rather than trusting
// the sender: cleaned fields, the sort field and the first-field checksum
// (docs/protocol/collection-sync.md §4.5, §6.5).
import { createHash } from 'node:crypto';
import { stripHtmlPreservingMediaFilenames } from './html-text.js';

export const FIELD_SEPARATOR = '\x1f';

// ASCII control characters other than tab and newline have no place in a field.
const INVALID_FIELD_CHARS = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function cleanField(field: string): string {
  return field.replace(INVALID_FIELD_CHARS, '');
}

/** First four bytes of the SHA-1 of the stripped first field, as a big-endian u32. */
export function fieldChecksum(strippedText: string): number {
  return createHash('sha1').update(strippedText, 'utf8').digest().readUInt32BE(0);
}

export interface DerivedNoteColumns {
  /** The fields, cleaned, joined by U+001F. */
  flds: string;
  /** Text for an integer-affinity column: SQLite keeps numbers numeric. */
  sfld: string;
  csum: number;
}

/**
 * `fields` must already have the notetype's field count. `sortFieldIdx` out of
 * range sorts on an empty string, as the reference does.
 */
export function deriveNoteColumns(fields: readonly string[], sortFieldIdx: number): DerivedNoteColumns {
  const cleaned = fields.map(cleanField);
  const first = stripHtmlPreservingMediaFilenames(cleaned[0] ?? '');
  const sfld = sortFieldIdx === 0 ? first : stripHtmlPreservingMediaFilenames(cleaned[sortFieldIdx] ?? '');
  return { flds: cleaned.join(FIELD_SEPARATOR), sfld, csum: fieldChecksum(first) };
}

/** Tags as stored: split on space or U+3000, then ` a b ` (or "" when there are none). */
export function normalizeNoteTags(tags: string): string {
  const list = tags.split(/[ \u3000]/).filter((tag) => tag !== '');
  return list.length === 0 ? '' : ` ${list.join(' ')} `;
}
