// Child process for the crash test: uploads batch after batch of self-describing
// files into one user's media store until it is killed.
//   node media-upload-loop.js <user folder>
import { MediaStore } from '../../src-main/server/media/media-store.js';
import { buildUploadZip } from './media-zips.js';
import { selfDescribingFile } from './self-describing-file.js';
import { join } from 'node:path';

const folder = process.argv[2]!;
const store = MediaStore.open({
  folder,
  collection: join(folder, 'collection.anki2'),
  mediaFolder: join(folder, 'media'),
  mediaDb: join(folder, 'media.db'),
  backups: join(folder, 'backups'),
});

for (let round = 0; ; round++) {
  // 25 entries over 40 names: adds, replacements and some deletions every round.
  const entries = Array.from({ length: 25 }, (_, i) => {
    const name = `file-${(round * 7 + i) % 40}.bin`;
    return [name, (round + i) % 6 === 5 ? null : selfDescribingFile(name, round, 150_000 + ((round * 31 + i * 17) % 100_000))] as const;
  });
  const result = await store.uploadChanges(await buildUploadZip(entries));
  process.stdout.write(`${result.currentUsn}\n`);
}
