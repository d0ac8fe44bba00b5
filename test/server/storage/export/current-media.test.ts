// currentMediaFiles: the files media.db knows as present, or, while a server
// holds media.db, the media folder's own files; never a path outside the folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { currentMediaFiles, userPaths } from '../../../../src-main/server/index.js';
import { MediaDatabase } from '../../../../src-main/server/media/database/media-database.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

function accountWithMedia(): ReturnType<typeof userPaths> {
  const paths = userPaths(makeTempFolder('ahs-current-media-'), 'alice');
  mkdirSync(paths.mediaFolder, { recursive: true });
  for (const name of ['live.jpg', 'only-on-disk.jpg']) writeFileSync(join(paths.mediaFolder, name), name);
  // What a media sync in progress and a case probe leave for a moment.
  mkdirSync(join(paths.mediaFolder, '.media-upload-abc123'));
  writeFileSync(join(paths.mediaFolder, '.media-upload-abc123', '0'), 'staged');
  writeFileSync(join(paths.mediaFolder, '.case-probe-0a1b2c'), '');
  const db = MediaDatabase.open(paths.mediaDb);
  const row = (fname: string, size: number): void => db.putEntry({ fname, csum: Buffer.alloc(20, 1), size, usn: 1, mtime: 1 });
  row('live.jpg', 8);
  row('deleted.jpg', 0);
  // A row no server would write, but a copied-in media.db could hold.
  row('../../outside.txt', 5);
  row('sub/dir.txt', 5);
  db.close();
  return paths;
}

test('the live rows of media.db, each a path inside the media folder; deleted and unsafe names left out', async () => {
  const paths = accountWithMedia();
  const files = await currentMediaFiles(paths);
  assert.deepEqual(files, [{ name: 'live.jpg', path: join(paths.mediaFolder, 'live.jpg') }]);
});

test('while a server holds media.db, the media folder is listed instead: its plain files, not a sync staging folder or a probe', async () => {
  const paths = accountWithMedia();
  const held = MediaDatabase.open(paths.mediaDb);
  // A media sync's write: from now on the server's connection holds the file exclusively.
  held.putEntry({ fname: 'deleted.jpg', csum: Buffer.alloc(20, 2), size: 0, usn: 2, mtime: 2 });
  try {
    const files = await currentMediaFiles(paths);
    assert.deepEqual(
      files.map((file) => file.name),
      ['live.jpg', 'only-on-disk.jpg'],
    );
    for (const file of files) assert.equal(dirname(file.path), paths.mediaFolder);
  } finally {
    held.close();
  }
});

test('an account with no media folder yet has no media', async () => {
  assert.deepEqual(await currentMediaFiles(userPaths(makeTempFolder('ahs-current-media-'), 'bob')), []);
});
