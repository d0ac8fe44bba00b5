import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import {
  decodeEntities,
  removeMarkup,
  replaceMediaTags,
  stripHtmlPreservingMediaFilenames,
} from '../../../../src-main/server/collection/sync-data/html-text.js';
import {
  cleanField,
  deriveNoteColumns,
  fieldChecksum,
  normalizeNoteTags,
} from '../../../../src-main/server/collection/sync-data/note-fields.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';

test('checksums match the reference test vectors', () => {
  assert.equal(fieldChecksum('test'), 2840236005);
  assert.equal(fieldChecksum('今日'), 1464653051);
});

test('media tags keep their file names, other markup goes', () => {
  assert.equal(stripHtmlPreservingMediaFilenames('<img src=foo.jpg>'), ' foo.jpg ');
  assert.equal(stripHtmlPreservingMediaFilenames("<img src='foo.jpg'><html>"), ' foo.jpg ');
  assert.equal(stripHtmlPreservingMediaFilenames('<html>'), '');
  assert.equal(stripHtmlPreservingMediaFilenames('a<IMG class="x > y" SRC="b c.png" alt=z>d'), 'a b c.png d');
  assert.equal(stripHtmlPreservingMediaFilenames('<audio controls data="s.mp3"></audio>'), ' s.mp3 ');
  assert.equal(stripHtmlPreservingMediaFilenames('<img alt=x src=a.jpg title=t>'), ' a.jpg ');
  assert.equal(replaceMediaTags('<imgx src=a.jpg>'), '<imgx src=a.jpg>');
  assert.equal(replaceMediaTags('<img srcset=a.jpg>'), '<img srcset=a.jpg>');
  assert.equal(removeMarkup('t<b>e</b>st'), 'test');
  assert.equal(removeMarkup('so<SCRIPT>t<b>e</b>st</script>me'), 'some');
  assert.equal(removeMarkup('a<!-- c <b> -->b<style x>p{}</style>c'), 'abc');
  assert.equal(removeMarkup('a < b'), 'a < b');
});

test('entities decode strictly: one bad reference keeps the text as it was', () => {
  assert.equal(decodeEntities('a&nbsp;b&amp;c&#65;&#x42;'), 'a b&cAB');
  assert.equal(decodeEntities('fish & chips &nbsp;'), 'fish & chips &nbsp;');
  assert.equal(decodeEntities('&apos;'), '&apos;');
  assert.equal(decodeEntities('&#X41;'), '&#X41;');
  assert.equal(decodeEntities('&#xD800;'), '&#xD800;');
});

test('pathological markup finishes (no exponential backtracking)', () => {
  const quotes = '<img ' + '"a" '.repeat(5000) + 'x';
  assert.equal(typeof stripHtmlPreservingMediaFilenames(quotes), 'string');
  const opens = '<'.repeat(20000);
  assert.equal(stripHtmlPreservingMediaFilenames(opens), opens);
});

test('control characters other than tab and newline are removed from fields', () => {
  assert.equal(cleanField('a\x00b\tc\nd\x07e\x7f'), 'ab\tc\nde');
});

test('tags are re-joined with outer spaces', () => {
  assert.equal(normalizeNoteTags('  a\u3000b  c '), ' a b c ');
  assert.equal(normalizeNoteTags('   '), '');
});

test('sort field and checksum agree with what real Anki stored', () => {
  const path = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  try {
    const db = openDatabase(path, { readonly: true });
    const notes = db.prepare('SELECT flds, cast(sfld AS text) AS sfld, csum FROM notes').all() as {
      flds: string;
      sfld: string;
      csum: number;
    }[];
    db.close();
    assert.equal(notes.length, 16);
    for (const note of notes) {
      const derived = deriveNoteColumns(note.flds.split('\x1f'), 0);
      assert.equal(derived.sfld, note.sfld, note.flds);
      assert.equal(derived.csum, note.csum, note.flds);
    }
  } finally {
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test('spec vectors from the real-Anki fixtures', () => {
  assert.deepEqual(deriveNoteColumns(['aaa aa car&nbsp;hello car', 'x'], 0), {
    flds: 'aaa aa car&nbsp;hello car\x1fx',
    sfld: 'aaa aa car hello car',
    csum: 476545801,
  });
  assert.equal(deriveNoteColumns(['[sound:foo[.jpg]'], 0).csum, 408627286);
  assert.equal(deriveNoteColumns(['a', '<b>2</b>'], 1).sfld, '2');
  assert.equal(deriveNoteColumns(['a'], 3).sfld, '');
});
