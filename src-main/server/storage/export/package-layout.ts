// The members of a collection package and what each holds, by version, as the
// reference writes them (rslib/src/import_export/package/colpkg/export.rs,
// package/meta.rs):
//   Latest:  `meta` (PackageMetadata), `collection.anki21b` (schema 18, zstd),
//            `collection.anki2` (a placeholder asking old Anki to update,
//            too-new-placeholder.ts), the media files "0"…"n-1" (each zstd),
//            `media` (MediaEntries, zstd).
//   Legacy1: no `meta`, `collection.anki2` (schema 11, raw), the media files raw,
//            `media` as JSON {"0": "name", …}. Every member is stored, except the
//            legacy collection, which the reference deflates.
// The reference's own "support older versions" export writes Legacy2 (a `meta`
// and `collection.anki21`); we write Legacy1 as issue 24 asks: with no `meta`,
// the reference reads a package holding `collection.anki2` as Legacy1
// (MetaExt::from_archive), and every Anki from 2.0 on opens that name.
import { mediaEntriesCodec, packageMetadataCodec } from '../proto-codec.js';

/** PackageMetadata.Version (proto/import_export.proto). */
export const PACKAGE_VERSION_LEGACY_1 = 1;
export const PACKAGE_VERSION_LATEST = 3;

export const META_MEMBER = 'meta';
/** Legacy1's collection, and in a Latest package the placeholder that asks old Anki to update. */
export const LEGACY_COLLECTION_MEMBER = 'collection.anki2';
export const MEDIA_MAP_MEMBER = 'media';

/** One media file as the package's list names it (MediaEntries.MediaEntry). */
export interface PackagedMedia {
  readonly name: string;
  /** The file's size; the reference writes 0 for a file of 4 GiB or more (a uint32). */
  readonly size: number;
  /** Raw 20-byte SHA-1 of the file's bytes. */
  readonly sha1: Buffer;
}

export interface PackageLayout {
  readonly legacy: boolean;
  /** The `meta` member's bytes, or null when the form has none. */
  readonly meta: Uint8Array | null;
  readonly collectionMember: string;
  /** The collection member and every media file zstd-compressed, the media list too. */
  readonly zstd: boolean;
  /** The collection member deflated inside the zip (only the legacy collection, as the reference's default options). */
  readonly deflateCollection: boolean;
  /** The `media` member's bytes before any compression. */
  mediaMap(entries: readonly PackagedMedia[]): Buffer;
}

export function packageLayout(legacy: boolean): PackageLayout {
  if (legacy) {
    return {
      legacy,
      meta: null,
      collectionMember: LEGACY_COLLECTION_MEMBER,
      zstd: false,
      deflateCollection: true,
      // The member's index is its position in the list: "0" is the first file written.
      mediaMap: (entries) =>
        Buffer.from(JSON.stringify(Object.fromEntries(entries.map((entry, index) => [String(index), entry.name]))), 'utf8'),
    };
  }
  return {
    legacy,
    meta: packageMetadataCodec.encode({ version: PACKAGE_VERSION_LATEST }),
    collectionMember: 'collection.anki21b',
    zstd: true,
    deflateCollection: false,
    mediaMap: (entries) =>
      Buffer.from(
        mediaEntriesCodec.encode({
          // legacy_zip_filename stays unset, as the reference's export leaves it (it is for imports).
          entries: entries.map((entry) => ({ name: entry.name, size: uint32OrZero(entry.size), sha1: entry.sha1 })),
        }),
      ),
  };
}

/** MediaEntry.size is a uint32: the reference writes 0 for a size it cannot hold (`try_into().unwrap_or_default()`). */
function uint32OrZero(size: number): number {
  return size <= 0xffff_ffff ? size : 0;
}
