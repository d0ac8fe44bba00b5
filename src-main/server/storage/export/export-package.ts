// `exportCollectionPackage`: an account's collection and media as a collection
// package (.colpkg) that Anki opens with File → Import (issue 24, "Download my
// collection"; the layout is package-layout.ts's). The package is written to a
// temporary name beside `outFile`, fsynced, renamed over it and its folder
// fsynced, as the reference's `atomic_rename` does: `outFile` is the whole
// package or, after a failure, what it was before. Nothing is held whole in
// memory: the collection is copied to a file (collection-copy.ts) and media
// files go in one at a time (package-zip.ts).
import { randomBytes } from 'node:crypto';
import { rm, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { syncFolder } from '../durable.js';
import { copyCollectionInBackground } from './collection-copy.js';
import { ExportError, exportErrorFor, type ExportStep } from './export-error.js';
import { selectPackageMedia } from './package-media.js';
import { packageLayout } from './package-layout.js';
import { MediaReadError, writePackageZip } from './package-zip.js';

export { currentMediaFiles } from './current-media.js';

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

export async function exportCollectionPackage(source: PackageSource, outFile: string, options: ExportOptions = {}): Promise<ExportResult> {
  const target = resolve(outFile);
  const folder = dirname(target);
  await checkPlaces(source.collection, target, folder);
  const layout = packageLayout(options.legacy === true);
  const stem = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}`);
  const temp = { zip: `${stem}.tmp`, copy: `${stem}.collection`, compressed: `${stem}.collection.zst`, placeholder: `${stem}.placeholder` };
  let step: ExportStep = { kind: 'collection' };
  try {
    const collection = await copyCollectionInBackground({
      source: source.collection,
      copy: temp.copy,
      compressedTo: layout.legacy ? null : temp.compressed,
      schema11: layout.legacy,
      placeholder: layout.legacy ? null : temp.placeholder,
    });
    step = { kind: 'write' };
    const { files } = selectPackageMedia(source.media);
    const zipped = await writePackageZip(temp.zip, layout, collection, files);
    await rename(temp.zip, target);
    await syncFolder(folder);
    return { notes: collection.notes, cards: collection.cards, mediaFiles: zipped.media.length, bytes: (await stat(target)).size };
  } catch (error) {
    throw exportErrorFor(error, error instanceof MediaReadError ? { kind: 'media', name: error.mediaName } : step, folder);
  } finally {
    await Promise.all(
      [temp.zip, temp.copy, `${temp.copy}-journal`, temp.compressed, temp.placeholder, `${temp.placeholder}-journal`].map((path) =>
        rm(path, { force: true }),
      ),
    );
  }
}

/** The sentences for the places themselves, before any work: the collection must exist, the output's folder too. */
async function checkPlaces(collection: string, target: string, folder: string): Promise<void> {
  const collectionFile = await stat(collection).catch(() => null);
  if (collectionFile === null || !collectionFile.isFile() || collectionFile.size === 0)
    throw new ExportError('There is no collection to export yet: sync a device with this account first.');
  const folderEntry = await stat(folder).catch(() => null);
  if (folderEntry === null || !folderEntry.isDirectory())
    throw new ExportError(`The folder ${folder} does not exist. Choose an existing folder.`);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory() === true)
    throw new ExportError(`${target} is a folder. Give a file name instead, such as collection.colpkg.`);
}
