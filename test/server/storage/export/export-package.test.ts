// "Download my collection" (issue 24 §3): a package written by
// exportCollectionPackage, read back by our own reader of the format
// (test/support/colpkg-reader.ts, which shares no code with the writer), holds
// the collection whole and every media file byte for byte, in the layout of
// rslib/src/import_export/package/colpkg/export.rs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportCollectionPackage, ExportError, openDatabase } from '../../../../src-main/server/index.js';
import Database from 'better-sqlite3';
import { TOO_NEW_TEXT } from '../../../../src-main/server/storage/export/too-new-placeholder.js';
import { readColpkg } from '../../../support/colpkg-reader.js';
import { collectionContent, integrityCheck } from '../../../support/collection-rows.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

const FIXTURE = 'v18-two-decks-16-notes.anki2';

interface Account {
  readonly collection: string;
  readonly media: { name: string; path: string }[];
  readonly bytes: Map<string, Buffer>;
}

/** The real-Anki fixture collection and media of several kinds: small, compressible, empty, above the whole-file limit, non-ASCII. */
function account(): Account {
  const collection = copyRealAnkiFixture(FIXTURE);
  const folder = makeTempFolder('ahs-export-media-');
  const files: [string, Buffer][] = [
    ['photo.jpg', randomBytes(30_000)],
    ['notes.txt', Buffer.from('the same words again and again '.repeat(2000))],
    ['empty.svg', Buffer.alloc(0)],
    ['lecture.mp3', randomBytes(3 * 1024 * 1024 + 17)],
    ['日本語 ünïcödé.png', randomBytes(500)],
  ];
  const bytes = new Map(files);
  const media = files.map(([name, data]) => {
    const path = join(folder, `file-${bytes.size}-${Buffer.from(name).toString('hex')}`);
    writeFileSync(path, data);
    return { name, path };
  });
  return { collection, media, bytes };
}

function assertSameCollection(read: string, source: string, ver: number): void {
  assert.deepEqual(integrityCheck(read), ['ok']);
  const got = collectionContent(read);
  const want = collectionContent(source);
  assert.equal(got.ver, ver);
  assert.equal(got.notes.length, 16);
  assert.deepEqual(got.notes, want.notes);
  assert.deepEqual(got.cards, want.cards);
  assert.deepEqual(got.revlog, want.revlog);
  assert.equal(got.revlog.length, 8);
  // Not WAL: the reference closes the collection in journal_mode=DELETE before packaging it.
  const header = readFileSync(read).subarray(18, 20);
  assert.deepEqual([...header], [1, 1]);
}

test('Latest: meta, collection.anki21b (zstd, schema 18), the media 0…n-1 (zstd) and the MediaEntries list, all stored; read back whole', async () => {
  const source = account();
  const out = join(makeTempFolder('ahs-export-out-'), 'alice.colpkg');
  const result = await exportCollectionPackage(source, out);
  assert.deepEqual(result, { notes: 16, cards: 16, mediaFiles: 5, bytes: statSync(out).size });
  assert.equal(statSync(out).mode & 0o777, 0o644);

  const read = await readColpkg(out, makeTempFolder('ahs-export-read-'));
  assert.equal(read.version, 3);
  assert.equal(read.hasMeta, true);
  assert.deepEqual(
    read.members.map((member) => member.name),
    ['meta', 'collection.anki21b', 'collection.anki2', '0', '1', '2', '3', '4', 'media'],
  );
  assert.deepEqual(
    read.members.map((member) => member.method),
    read.members.map(() => 0),
    'every member stored, as the reference writes them',
  );
  assertSameCollection(read.collectionFile, source.collection, 18);
  assert.deepEqual(
    read.media.map((file) => file.name),
    source.media.map((file) => file.name),
  );
  for (const file of read.media) {
    const want = source.bytes.get(file.name)!;
    assert.ok(file.data.equals(want), `${file.name}: the same bytes`);
    assert.equal(file.size, want.length);
  }
  // Anki before 2.1.50 knows only collection.anki2: it finds a schema-11 collection (readable without our
  // collation, as old Anki reads it) whose one note asks to update, as the reference's placeholder does.
  const placeholder = join(makeTempFolder('ahs-export-read-'), 'placeholder.anki2');
  writeFileSync(placeholder, read.members.find((member) => member.name === 'collection.anki2')!.data);
  const plain = new Database(placeholder, { readonly: true });
  try {
    assert.equal(plain.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(plain.prepare('SELECT ver FROM col').pluck().get(), 11);
    assert.deepEqual(plain.prepare('SELECT flds FROM notes').pluck().all(), [`${TOO_NEW_TEXT}\u001f`]);
    assert.equal(plain.prepare('SELECT count(*) FROM cards').pluck().get(), 1);
  } finally {
    plain.close();
  }
  // The members really are zstd frames (magic 28 b5 2f fd), the large file's too.
  for (const name of ['collection.anki21b', '3', 'media']) {
    assert.deepEqual([...read.members.find((member) => member.name === name)!.data.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], name);
  }
});

test('Legacy1: no meta, collection.anki2 at schema 11 (deflated), the media raw, and the JSON name map', async () => {
  const source = account();
  const out = join(makeTempFolder('ahs-export-out-'), 'alice-legacy.colpkg');
  const result = await exportCollectionPackage(source, out, { legacy: true });
  assert.equal(result.mediaFiles, 5);
  const read = await readColpkg(out, makeTempFolder('ahs-export-read-'));
  assert.equal(read.version, 1);
  assert.equal(read.hasMeta, false);
  assert.deepEqual(
    read.members.map((member) => [member.name, member.method]),
    [
      ['collection.anki2', 8],
      ['0', 0],
      ['1', 0],
      ['2', 0],
      ['3', 0],
      ['4', 0],
      ['media', 0],
    ],
  );
  assertSameCollection(read.collectionFile, source.collection, 11);
  const map = JSON.parse(read.members.find((member) => member.name === 'media')!.data.toString('utf8')) as unknown;
  assert.deepEqual(map, Object.fromEntries(source.media.map((file, index) => [String(index), file.name])));
  for (const file of read.media) assert.ok(file.data.equals(source.bytes.get(file.name)!), file.name);
  // Schema 11's objects live in col as JSON again, and the schema-18 tables are gone.
  const db = openDatabase(read.collectionFile, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('notetypes', 'decks', 'deck_config')")
      .all();
    assert.deepEqual(tables, []);
    const models = JSON.parse(db.prepare('SELECT models FROM col').pluck().get() as string) as Record<string, unknown>;
    assert.ok(Object.keys(models).length > 0);
  } finally {
    db.close();
  }
});

test('hostile media names never reach the package: no separators, no "..", names in NFC, no two files of one name', async () => {
  const source = account();
  const evil = join(makeTempFolder('ahs-export-evil-'), 'x');
  writeFileSync(evil, 'secret');
  const decomposed = 'cafe\u0301.jpg';
  const media = [
    ...source.media,
    { name: '../escape.txt', path: evil },
    { name: 'a/b.txt', path: evil },
    { name: '..', path: evil },
    { name: 'nul\u0000.txt', path: evil },
    { name: decomposed, path: evil },
    { name: 'caf\u00e9.jpg', path: evil },
  ];
  const out = join(makeTempFolder('ahs-export-out-'), 'evil.colpkg');
  const result = await exportCollectionPackage({ collection: source.collection, media }, out);
  // The reader refuses a package with any unsafe or non-NFC name, as Anki's importer does.
  const read = await readColpkg(out, makeTempFolder('ahs-export-read-'));
  const names = read.media.map((file) => file.name);
  assert.deepEqual(names, [...source.media.map((file) => file.name), 'caf\u00e9.jpg']);
  assert.equal(result.mediaFiles, names.length);
  const legacyOut = join(makeTempFolder('ahs-export-out-'), 'evil-legacy.colpkg');
  await exportCollectionPackage({ collection: source.collection, media }, legacyOut, { legacy: true });
  const legacyRead = await readColpkg(legacyOut, makeTempFolder('ahs-export-read-'));
  assert.deepEqual(
    legacyRead.media.map((file) => file.name),
    names,
  );
});

test('a media file removed before its turn is left out, and the package still reads back whole', async () => {
  const source = account();
  unlinkSync(source.media[1]!.path);
  const out = join(makeTempFolder('ahs-export-out-'), 'gone.colpkg');
  const result = await exportCollectionPackage(source, out);
  assert.equal(result.mediaFiles, 4);
  const read = await readColpkg(out, makeTempFolder('ahs-export-read-'));
  assert.deepEqual(
    read.media.map((file) => file.name),
    source.media.filter((_, index) => index !== 1).map((file) => file.name),
  );
  for (const file of read.media) assert.ok(file.data.equals(source.bytes.get(file.name)!), file.name);
});

test('a failed export says why in a sentence, leaves the file it would replace as it was, and leaves no temporary file', async () => {
  const source = account();
  const folder = makeTempFolder('ahs-export-out-');
  const out = join(folder, 'keep.colpkg');
  writeFileSync(out, 'the previous export');

  const damaged = join(makeTempFolder('ahs-export-damaged-'), 'collection.anki2');
  writeFileSync(damaged, randomBytes(8192));
  await assert.rejects(exportCollectionPackage({ collection: damaged, media: source.media }, out), (error: unknown) => {
    assert.ok(error instanceof ExportError);
    assert.match(error.message, /collection file is damaged/);
    return true;
  });
  await assert.rejects(exportCollectionPackage({ collection: join(folder, 'none.anki2'), media: [] }, out), /no collection to export yet/);
  await assert.rejects(
    exportCollectionPackage(source, join(folder, 'missing', 'x.colpkg')),
    /does not exist\. Choose an existing folder\./,
  );
  await assert.rejects(exportCollectionPackage(source, folder), /is a folder/);
  // A media file that cannot be read (a folder in its place) is named.
  await assert.rejects(
    exportCollectionPackage({ collection: source.collection, media: [{ name: 'odd.jpg', path: folder }] }, out),
    (error: unknown) => {
      assert.ok(error instanceof ExportError);
      assert.equal(error.message, 'The media file "odd.jpg" could not be read (EISDIR), so nothing was exported.');
      return true;
    },
  );

  assert.equal(readFileSync(out, 'utf8'), 'the previous export');
  assert.deepEqual(readdirSync(folder), ['keep.colpkg']);
  assert.equal(existsSync(`${damaged}-wal`), false);
});

test('an export replaces an older package of the same name', async () => {
  const source = account();
  const out = join(makeTempFolder('ahs-export-out-'), 'again.colpkg');
  writeFileSync(out, 'old');
  await exportCollectionPackage(source, out);
  const read = await readColpkg(out, makeTempFolder('ahs-export-read-'));
  assert.equal(read.media.length, 5);
});
