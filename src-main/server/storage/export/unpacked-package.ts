// A package of a collection that is not a plain file yet (a snapshot, zstd on
// disk): it is unpacked into a private temporary folder, packed, and the folder
// removed, whatever happens. Nothing acknowledged lives in that folder, so it is
// made with mkdtemp rather than storage/durable.ts's makeFolder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCollectionPackage, type ExportOptions, type ExportResult, type PackageSource } from './export-package.js';

/** Writes the collection `unpack` puts at the path it is given, with the media it names, to `outFile`. */
export async function exportUnpackedCollection(
  unpack: (collection: string) => Promise<PackageSource['media']>,
  outFile: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const folder = await mkdtemp(join(tmpdir(), 'anki-home-sync-export-'));
  try {
    const collection = join(folder, 'collection.anki2');
    const media = await unpack(collection);
    return await exportCollectionPackage({ collection, media }, outFile, options);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
