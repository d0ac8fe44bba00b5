// The media store's uploadChanges against real zips, a real media folder and a real media.db.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestError } from '../../../src-main/server/errors.js';
import { MediaStore } from '../../../src-main/server/media/media-store.js';
import { buildUploadZip, buildZip, buildZipWithMeta } from '../../support/media-zips.js';
import { LEGACY_FIXTURES } from '../../support/fixture-paths.js';
import { tempUserPaths, withMediaStore, type TempUserPaths } from '../../support/temp-user.js';

const sha1hex = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/** Everything a failed upload must leave untouched. */
function snapshot(store: MediaStore, paths: TempUserPaths) {
  return {
    changes: store.changesAfter(-1),
    usn: store.lastUsn(),
    files: readdirSync(paths.mediaFolder).sort(),
    folder: readdirSync(paths.folder).sort(),
  };
}

test('opening creates the user folder, media/ and media.db', async () => {
  await withMediaStore(async (store, paths) => {
    assert.ok(existsSync(paths.mediaFolder));
    assert.ok(existsSync(paths.mediaDb));
    assert.equal(store.lastUsn(), 0);
  });
});

test('adds, replaces and deletes, one usn each; identical re-uploads and repeated deletes take none', async () => {
  await withMediaStore(async (store, paths) => {
    const first = await store.uploadChanges(
      await buildUploadZip([
        ['a.jpg', Buffer.from('aaa')],
        ['日本語 ✓.png', Buffer.from('unicode')],
        ['name with spaces.mp3', Buffer.from('spaces')],
        ['a..b.jpg', Buffer.from('dots')],
      ]),
    );
    assert.deepEqual([first.processed, first.currentUsn], [4, 4]);
    assert.equal(readFileSync(join(paths.mediaFolder, '日本語 ✓.png'), 'utf8'), 'unicode');
    assert.equal(readFileSync(join(paths.mediaFolder, 'a..b.jpg'), 'utf8'), 'dots');

    const again = await store.uploadChanges(await buildUploadZip([['a.jpg', Buffer.from('aaa')]]));
    assert.deepEqual([again.processed, again.currentUsn], [1, 4], 'identical bytes: processed, no usn');

    const mixed = await store.uploadChanges(
      await buildUploadZip([
        ['a.jpg', Buffer.from('changed')],
        ['a..b.jpg', null],
        ['never-existed.jpg', null],
      ]),
    );
    assert.deepEqual([mixed.processed, mixed.currentUsn], [3, 6]);
    assert.equal(readFileSync(join(paths.mediaFolder, 'a.jpg'), 'utf8'), 'changed');
    assert.ok(!existsSync(join(paths.mediaFolder, 'a..b.jpg')));

    const deleteAgain = await store.uploadChanges(await buildUploadZip([['a..b.jpg', null]]));
    assert.deepEqual([deleteAgain.processed, deleteAgain.currentUsn], [1, 6]);

    assert.deepEqual(store.changesAfter(4), [
      ['a.jpg', 5, sha1hex('changed')],
      ['a..b.jpg', 6, ''],
    ]);
    assert.equal(store.sanityCheck(3), 'OK');
    assert.equal(store.sanityCheck(4), 'mediaSanity');
    assert.deepEqual(readdirSync(paths.mediaFolder).sort(), ['a.jpg', 'name with spaces.mp3', '日本語 ✓.png'], 'no staging left behind');
  });
});

test('deflated zips with data descriptors and "" deletions (Python, AnkiDroid) are read', async () => {
  await withMediaStore(async (store, paths) => {
    const big = Buffer.alloc(300_000, 'x');
    await store.uploadChanges(
      await buildUploadZip([
        ['keep.txt', Buffer.from('k')],
        ['drop.txt', Buffer.from('d')],
      ]),
    );
    const result = await store.uploadChanges(
      await buildUploadZip(
        [
          ['big.txt', big],
          ['drop.txt', null],
        ],
        { deflate: true, dataDescriptors: true, deletion: '' },
      ),
    );
    assert.deepEqual([result.processed, result.currentUsn], [2, 4]);
    assert.deepEqual(readFileSync(join(paths.mediaFolder, 'big.txt')), big);
    assert.ok(!existsSync(join(paths.mediaFolder, 'drop.txt')));
  });
});

test('an upload recorded from Anki 2.1.16 is applied', async () => {
  await withMediaStore(async (store, paths) => {
    const raw = readFileSync(join(LEGACY_FIXTURES, '17-msync-uploadChanges-adds.request.raw'));
    const start = raw.indexOf(Buffer.from('PK\x03\x04', 'latin1'));
    const end = raw.lastIndexOf(Buffer.from('\r\n--Anki-sync-boundary', 'latin1'));
    const result = await store.uploadChanges(raw.subarray(start, end));
    assert.deepEqual([result.processed, result.currentUsn], [14, 14]);
    assert.ok(existsSync(join(paths.mediaFolder, 'harness-044536236c-ünïcødé 日本語 ✓.png')));
    // The recorder's own server answered with these checksums for the same files.
    const changes = new Map(store.changesAfter(0).map(([fname, , sha1]) => [fname, sha1]));
    assert.equal(changes.get('harness-044536236c-batch-29.txt'), '6e7faa77f3418a9d1e982c4b87b7621c33d24787');
    assert.equal(changes.get('harness-044536236c-ünïcødé 日本語 ✓.png'), '966f50f99104fe9601d33a01deef178739ea3784');

    const rawDeletes = readFileSync(join(LEGACY_FIXTURES, '18-msync-uploadChanges-deletions.request.raw'));
    const zip = rawDeletes.subarray(
      rawDeletes.indexOf(Buffer.from('PK\x03\x04', 'latin1')),
      rawDeletes.lastIndexOf(Buffer.from('\r\n--Anki-sync-boundary', 'latin1')),
    );
    const deleted = await store.uploadChanges(zip);
    assert.deepEqual([deleted.processed, deleted.currentUsn], [2, 16]);
    assert.ok(!existsSync(join(paths.mediaFolder, 'harness-044536236c-ünïcødé 日本語 ✓.png')));
  });
});

test('an empty _meta is answered with [0, last_usn]', async () => {
  await withMediaStore(async (store) => {
    const result = await store.uploadChanges(await buildZipWithMeta('[]'));
    assert.deepEqual([result.processed, result.currentUsn], [0, 0]);
  });
});

test('the same name twice in one upload is applied in sequence', async () => {
  await withMediaStore(async (store, paths) => {
    await store.uploadChanges(await buildUploadZip([['x', Buffer.from('old')]]));
    const result = await store.uploadChanges(
      await buildUploadZip([
        ['x', null],
        ['x', Buffer.from('new')],
      ]),
    );
    assert.deepEqual([result.processed, result.currentUsn], [2, 3]);
    assert.equal(readFileSync(join(paths.mediaFolder, 'x'), 'utf8'), 'new', 'the later add survives the earlier delete');
    const back = await store.uploadChanges(
      await buildUploadZip([
        ['y', Buffer.from('1')],
        ['y', null],
      ]),
    );
    assert.deepEqual([back.processed, back.currentUsn], [2, 5]);
    assert.ok(!existsSync(join(paths.mediaFolder, 'y')));
  });
});

test('an identical re-upload restores a live file missing from disk without a usn', async () => {
  await withMediaStore(async (store, paths) => {
    await store.uploadChanges(await buildUploadZip([['lost.jpg', Buffer.from('content')]]));
    const { rmSync } = await import('node:fs');
    rmSync(join(paths.mediaFolder, 'lost.jpg'));
    const result = await store.uploadChanges(await buildUploadZip([['lost.jpg', Buffer.from('content')]]));
    assert.equal(result.currentUsn, 1);
    assert.equal(readFileSync(join(paths.mediaFolder, 'lost.jpg'), 'utf8'), 'content');
  });
});

/** Each of these must be a 400 that changes nothing at all. */
const hostileUploads: [string, () => Promise<Buffer>][] = [
  ['26 entries', () => buildUploadZip(Array.from({ length: 26 }, (_, i) => [`f${i}`, Buffer.from('x')] as const))],
  [
    'a non-NFC name',
    () =>
      buildUploadZip([
        ['ok.jpg', Buffer.from('x')],
        ['e\u0301.jpg', Buffer.from('x')],
      ]),
  ],
  [
    'a name with /',
    () =>
      buildUploadZip([
        ['ok.jpg', Buffer.from('x')],
        ['sub/x.jpg', Buffer.from('x')],
      ]),
  ],
  ['a relative path', () => buildUploadZip([['../../escape.jpg', Buffer.from('x')]])],
  ['an absolute path', () => buildUploadZip([['/tmp/escape.jpg', Buffer.from('x')]])],
  ['a Windows path', () => buildUploadZip([['..\\escape.jpg', Buffer.from('x')]])],
  ['"."', () => buildUploadZip([['.', Buffer.from('x')]])],
  ['".."', () => buildUploadZip([['..', Buffer.from('x')]])],
  ['an empty name', () => buildUploadZip([['', Buffer.from('x')]])],
  ['a NUL', () => buildUploadZip([['a\u0000.jpg', Buffer.from('x')]])],
  ['a control character', () => buildUploadZip([['a\n.jpg', Buffer.from('x')]])],
  ['CON', () => buildUploadZip([['CON', Buffer.from('x')]])],
  ['aux.jpg', () => buildUploadZip([['aux.jpg', Buffer.from('x')]])],
  ['a 256-byte name', () => buildUploadZip([['x'.repeat(252) + '.jpg', Buffer.from('x')]])],
  [
    'a deletion of a hostile name',
    () =>
      buildUploadZip([
        ['ok.jpg', Buffer.from('x')],
        ['../x', null],
      ]),
  ],
  [
    'a zero-length member',
    () =>
      buildUploadZip([
        ['ok.jpg', Buffer.from('x')],
        ['empty.jpg', Buffer.alloc(0)],
      ]),
  ],
  ['a missing member', () => buildZipWithMeta('[["ok.jpg","0"],["b.jpg","1"]]', [['0', Buffer.from('x')]])],
  ['no _meta', () => buildZip([['0', Buffer.from('x')]])],
  ['_meta not JSON', () => buildZipWithMeta('[["ok.jpg", "0"]', [['0', Buffer.from('x')]])],
  ['_meta an object', () => buildZipWithMeta('{"ok.jpg": "0"}', [['0', Buffer.from('x')]])],
  ['_meta entry of 3', () => buildZipWithMeta('[["ok.jpg", "0", 1]]', [['0', Buffer.from('x')]])],
  ['_meta with a number', () => buildZipWithMeta('[["ok.jpg", 0]]', [['0', Buffer.from('x')]])],
  [
    '_meta over 50 KiB',
    () =>
      buildZipWithMeta(
        JSON.stringify([
          ['ok.jpg', '0'],
          ['y'.repeat(52_000), null],
        ]),
        [['0', Buffer.from('x')]],
      ),
  ],
  ['not a zip', async () => Buffer.from('this is not a zip at all')],
  ['an empty body', async () => Buffer.alloc(0)],
  ['a truncated zip', async () => (await buildUploadZip([['ok.jpg', Buffer.alloc(5000, 1)]])).subarray(0, 3000)],
  [
    'a zip whose deflate data is corrupt',
    async () => {
      const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i} ${(i * 7919) % 10007}\n`).join(''));
      const zip = await buildUploadZip(
        [
          ['ok.jpg', Buffer.from('fine')],
          ['bad.txt', text],
        ],
        { deflate: true },
      );
      // The middle of member "1"'s compressed data (its local header is 30 bytes plus the name).
      const header = zip.indexOf(Buffer.from('PK\x03\x04', 'latin1'), 4);
      const compressedSize = zip.readUInt32LE(header + 18);
      const middle = header + 31 + Math.floor(compressedSize / 2);
      for (let i = middle; i < middle + 16; i++) zip[i] = zip[i]! ^ 0x5a;
      return zip;
    },
  ],
  [
    'a member whose real size exceeds its declared size',
    async () => {
      const zip = await buildUploadZip([
        ['ok.jpg', Buffer.from('x')],
        ['liar.jpg', Buffer.from('0123456789')],
      ]);
      // Patch the central directory's uncompressed size of member "1" from 10 down to 5.
      const central = zip.indexOf(Buffer.from('PK\x01\x02', 'latin1'), zip.indexOf(Buffer.from('PK\x01\x02', 'latin1')) + 1);
      zip.writeUInt32LE(5, central + 24);
      return zip;
    },
  ],
];

for (const [name, build] of hostileUploads) {
  test(`upload refused with 400 and nothing applied: ${name}`, async () => {
    await withMediaStore(async (store, paths) => {
      await store.uploadChanges(await buildUploadZip([['existing.jpg', Buffer.from('before')]]));
      writeFileSync(join(paths.folder, '..', 'outside-marker'), 'untouched');
      const before = snapshot(store, paths);
      const outsideBefore = readdirSync(join(paths.folder, '..')).sort();
      await assert.rejects(store.uploadChanges(await build()), (error: unknown) => error instanceof BadRequestError);
      assert.deepEqual(snapshot(store, paths), before);
      assert.deepEqual(readdirSync(join(paths.folder, '..')).sort(), outsideBefore, 'nothing written outside the user folder');
      assert.equal(readFileSync(join(paths.mediaFolder, 'existing.jpg'), 'utf8'), 'before');
    });
  });
}

test('a 3 MB file and a 100 MiB limit: the limit is checked from the central directory', async () => {
  await withMediaStore(async (store, paths) => {
    const three = Buffer.alloc(3_000_000, 3);
    await store.uploadChanges(await buildUploadZip([['three.bin', three]]));
    assert.deepEqual(readFileSync(join(paths.mediaFolder, 'three.bin')), three);
  });
});

test('a stored member whose bytes were damaged fails its CRC check: 400, nothing applied', async () => {
  await withMediaStore(async (store, paths) => {
    const zip = await buildUploadZip([
      ['good.jpg', Buffer.from('good content')],
      ['damaged.jpg', Buffer.from('original content')],
    ]);
    const at = zip.indexOf(Buffer.from('original content'));
    zip.write('ORIGINAL', at, 'latin1');
    await assert.rejects(store.uploadChanges(zip), (error: unknown) => error instanceof BadRequestError && /CRC/.test(error.message));
    assert.deepEqual(readdirSync(paths.mediaFolder), []);
    assert.equal(store.lastUsn(), 0);
  });
});

test('on a disk that ignores case, an add that differs from a live name only by case is refused', async () => {
  const paths = tempUserPaths();
  // This machine's disk is case-sensitive; the store is told what a Windows or macOS disk would report.
  const store = MediaStore.open(paths, { folderIgnoresCase: true });
  try {
    await store.uploadChanges(
      await buildUploadZip([
        ['Photo.JPG', Buffer.from('first')],
        ['Éclair.png', Buffer.from('e')],
      ]),
    );
    for (const name of ['photo.jpg', 'éclair.PNG']) {
      await assert.rejects(
        store.uploadChanges(
          await buildUploadZip([
            ['other.jpg', Buffer.from('x')],
            [name, Buffer.from('second')],
          ]),
        ),
        (error: unknown) => error instanceof BadRequestError && /letter case/.test(error.message),
      );
    }
    assert.deepEqual(readdirSync(paths.mediaFolder).sort(), ['Photo.JPG', 'Éclair.png'], 'the valid file before it was rolled back too');
    assert.equal(store.lastUsn(), 2);
    // Replacing under the exact name, and re-adding after a delete, are fine.
    await store.uploadChanges(await buildUploadZip([['Photo.JPG', Buffer.from('replaced')]]));
    await store.uploadChanges(
      await buildUploadZip([
        ['Photo.JPG', null],
        ['photo.jpg', Buffer.from('renamed')],
      ]),
    );
    assert.equal(readFileSync(join(paths.mediaFolder, 'photo.jpg'), 'utf8'), 'renamed');
  } finally {
    store.close();
    paths.remove();
  }
});

test('a disk that keeps case apart accepts names differing only by case, as the official server does', async () => {
  await withMediaStore(async (store, paths) => {
    await store.uploadChanges(
      await buildUploadZip([
        ['Photo.JPG', Buffer.from('1')],
        ['photo.jpg', Buffer.from('2')],
      ]),
    );
    assert.deepEqual(readdirSync(paths.mediaFolder).sort(), ['Photo.JPG', 'photo.jpg']);
  });
});

test('staging left by a crash is removed at open; a media file with the same prefix is not', async () => {
  const paths = tempUserPaths();
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(paths.mediaFolder, '.media-upload-abc123'), { recursive: true });
    writeFileSync(join(paths.mediaFolder, '.media-upload-abc123', '0'), 'half a file');
    writeFileSync(join(paths.mediaFolder, '.media-upload-file'), 'a real media file');
    const store = MediaStore.open(paths);
    store.close();
    assert.deepEqual(readdirSync(paths.mediaFolder), ['.media-upload-file']);
  } finally {
    paths.remove();
  }
});
