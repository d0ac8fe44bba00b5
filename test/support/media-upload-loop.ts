// Child process for the crash test: uploads batch after batch of self-describing
// files into one user's media store until it is killed.
//   node media-upload-loop.js <user folder>
import { MediaStore } from '../../src-main/server/media/media-store.js';
import { buildUploadZip } from './media-zips.js';
import { selfDescribingFile } from './self-describing-file.js';
import { basename, dirname } from 'node:path';
import { userPaths } from '../../src-main/server/storage/user-paths.js';

const folder = process.argv[2]!;
const store = MediaStore.open(userPaths(dirname(folder), basename(folder)));

for (let round = 0; ; round++) {
  // 25 entries over 40 names: adds, replacements and some deletions every round.
  const entries = Array.from({ length: 25 }, (_, i) => {
    const name = `file-${(round * 7 + i) % 40}.bin`;
    return [name, (round + i) % 6 === 5 ? null : selfDescribingFile(name, round, 150_000 + ((round * 31 + i * 17) % 100_000))] as const;
  });
  const result = await store.uploadChanges(await buildUploadZip(entries));
  process.stdout.write(`${result.currentUsn}\n`);
}
