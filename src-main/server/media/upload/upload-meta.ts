// The `_meta` member of an upload zip: a JSON array of `[actual_filename,
// name_in_zip]`, where a member name means "add or replace with that member" and
// `null` or `""` (Python, AnkiDroid) means "delete".
import { MAX_MEDIA_FILES_IN_ZIP } from '../limits.js';

export interface UploadMetaEntry {
  readonly fname: string;
  /** The member holding the new content, or null for a deletion. */
  readonly member: string | null;
}

/** Thrown when `_meta` is not the shape above (the caller answers 400). */
export class InvalidUploadMetaError extends Error {}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function parseUploadMeta(bytes: Buffer): UploadMetaEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    throw new InvalidUploadMetaError(`_meta is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new InvalidUploadMetaError('_meta is not an array');
  if (value.length > MAX_MEDIA_FILES_IN_ZIP) {
    throw new InvalidUploadMetaError(`_meta has ${value.length} entries, more than ${MAX_MEDIA_FILES_IN_ZIP}`);
  }
  return value.map((item, index) => parseEntry(item, index));
}

function parseEntry(item: unknown, index: number): UploadMetaEntry {
  // The reference also accepts the object spelling of an entry; no client sends it.
  const [fname, member]: readonly unknown[] = Array.isArray(item)
    ? item.length === 2
      ? (item as unknown[])
      : [undefined, undefined]
    : typeof item === 'object' && item !== null
      ? [(item as Record<string, unknown>).actual_filename, (item as Record<string, unknown>).filename_in_zip ?? null]
      : [undefined, undefined];
  if (typeof fname !== 'string' || (member !== null && typeof member !== 'string')) {
    throw new InvalidUploadMetaError(`_meta entry ${index} is not [filename, member or null]`);
  }
  return { fname, member: member === '' ? null : member };
}
