import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allTags,
  normalizeTagName,
  putTag,
  registerTag,
  tagsChangedSince,
  tagsToLegacyMap,
} from '../../../../src-main/server/storage/objects/index.js';
import { emptyCollection } from './helpers.js';

test('registerTag: add-only, existing case wins, parent case adopted, collapsed', () => {
  const db = emptyCollection();
  assert.deepEqual(registerTag(db, 'Verbs', 10), { name: 'Verbs', added: true });
  assert.deepEqual(registerTag(db, 'VERBS', 11), { name: 'Verbs', added: false });
  assert.deepEqual(registerTag(db, 'verbs::irregular', 12), { name: 'Verbs::irregular', added: true });
  assert.deepEqual(registerTag(db, 'Straße', 13), { name: 'Straße', added: true });
  assert.deepEqual(registerTag(db, 'STRASSE', 14), { name: 'Straße', added: false }, 'unicase: ß equals SS');
  assert.deepEqual(
    allTags(db).map((t) => [t.name, t.usn, t.collapsed]),
    [
      ['Straße', 13, true],
      ['Verbs', 10, true],
      ['Verbs::irregular', 12, true],
    ],
  );
  assert.deepEqual(tagsChangedSince(db, 12), ['Straße', 'Verbs::irregular']);
  assert.deepEqual(tagsToLegacyMap(allTags(db)), { Straße: 13, Verbs: 10, 'Verbs::irregular': 12 });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

test('tag names are normalised as the reference does', () => {
  assert.equal(normalizeTagName('a b'), 'ab');
  assert.equal(normalizeTagName(' x ::  y '), 'x::y');
  assert.equal(normalizeTagName('a::::b'), 'a::blank::b');
  assert.equal(normalizeTagName('\ufa47'), '\u6f22');
});

test('putTag keeps the collapsed flag', () => {
  const db = emptyCollection();
  putTag(db, { name: 'open', usn: 0, collapsed: false });
  assert.equal(allTags(db)[0]!.collapsed, false);
});
