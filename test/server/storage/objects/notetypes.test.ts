import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allNotetypes,
  ensureNotetypeNameUnique,
  getNotetype,
  InvalidLegacyObjectError,
  PrecisionLostError,
  notetypeFromLegacy,
  notetypesChangedSince,
  notetypeToLegacy,
  putNotetype,
  removeNotetype,
} from '../../../../src-main/server/storage/objects/index.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../../../src-main/server/json.js';
import { V18_FIXTURES, emptyCollection, openFixtureCopy, tableRows } from './helpers.js';

for (const fixture of V18_FIXTURES) {
  test(`${fixture}: notetype rows → legacy JSON → rows are identical, blob for blob`, () => {
    const source = openFixtureCopy(fixture);
    const target = emptyCollection();
    const originals = allNotetypes(source);
    assert.ok(originals.length >= 5);
    for (const nt of originals) {
      // through the wire text too, as applyChanges carries it
      const wire = parseJson(stringifyJson(notetypeToLegacy(nt)));
      putNotetype(target, notetypeFromLegacy(wire));
    }
    assert.deepEqual(tableRows(target, 'notetypes', 'id'), tableRows(source, 'notetypes', 'id'));
    assert.deepEqual(tableRows(target, 'fields', 'ntid, ord'), tableRows(source, 'fields', 'ntid, ord'));
    assert.deepEqual(tableRows(target, 'templates', 'ntid, ord'), tableRows(source, 'templates', 'ntid, ord'));
    assert.equal(target.pragma('integrity_check', { simple: true }), 'ok');
  });
}

test('stock notetype JSON: keys, kinds and 64-bit field ids as a client expects them', () => {
  const db = openFixtureCopy('v18-empty-stock-notetypes.anki2');
  const cloze = allNotetypes(db)
    .map(notetypeToLegacy)
    .find((nt) => nt.name === 'Cloze')!;
  assert.equal(cloze.type, 1);
  assert.equal(cloze['originalStockKind'], 5);
  assert.equal(cloze.did, null);
  assert.deepEqual(cloze.req, [[0, 'any', [0]]]);
  assert.equal(cloze.flds[0]!.ord, 0);
  assert.equal(cloze.flds[0]!['tag'], 0);
  assert.equal(cloze.flds[0]!['preventDeletion'], true);
  assert.equal(cloze.flds[0]!['id'], -9071550875696965278n);
  assert.match(stringifyJson(cloze), /"id":-9071550875696965278[,}]/);
  assert.equal(cloze.tmpls[0]!.qfmt, '{{cloze:Text}}');
  assert.equal(cloze.tmpls[0]!.did, null);
  const basic = allNotetypes(db)
    .map(notetypeToLegacy)
    .find((nt) => nt.name === 'Basic')!;
  assert.equal(basic.type, 0);
  assert.ok(!('originalId' in basic), 'originalId is omitted when absent');
});

function legacyNotetype(extra: { [key: string]: JsonValue | undefined } = {}): JsonObject {
  return {
    id: 1600000000000,
    name: 'Vocab',
    type: 0,
    mod: 1600000001,
    usn: 7,
    sortf: 1,
    did: 1600000000123,
    tmpls: [
      {
        name: 'Forward',
        ord: 0,
        qfmt: '{{Front}}',
        afmt: '{{Back}}',
        bqfmt: '',
        bafmt: '',
        did: null,
        bfont: 'Arial',
        bsize: 12,
        futureTemplateKey: [1, 2],
      },
    ],
    flds: [
      { name: 'Front', ord: 0, sticky: false, rtl: false, font: 'Arial', size: 20, media: [], futureFieldKey: 'x' },
      { name: 'Back', ord: 1, sticky: 1, rtl: 'false', font: 'Liberation', size: 18 },
    ],
    css: '.card {}',
    latexPre: 'pre',
    latexPost: 'post',
    latexsvg: true,
    req: [[0, 'all', [0]]],
    vers: [],
    tags: ['legacy'],
    futureTopKey: { nested: 12345678901234567890n, list: [1.5, 'two', null] },
    ...extra,
  };
}

test('unknown keys survive JSON → rows → JSON, at every level, exactly', () => {
  const db = emptyCollection();
  putNotetype(db, notetypeFromLegacy(legacyNotetype()));
  const back = notetypeToLegacy(getNotetype(db, 1600000000000)!);
  assert.deepEqual(back['vers'], []);
  assert.deepEqual(back['tags'], ['legacy']);
  assert.deepEqual(back['futureTopKey'], { nested: 12345678901234567890n, list: [1.5, 'two', null] });
  assert.deepEqual(back.flds[0]!['media'], []);
  assert.equal(back.flds[0]!['futureFieldKey'], 'x');
  assert.deepEqual(back.tmpls[0]!['futureTemplateKey'], [1, 2]);
  // mapped values, with the lenient inputs normalised
  assert.equal(back.did, 1600000000123);
  assert.equal(back.sortf, 1);
  assert.equal(back.latexsvg, true);
  assert.deepEqual(back.req, [[0, 'all', [0]]]);
  assert.equal(back.flds[1]!.sticky, true);
  assert.equal(back.flds[1]!.rtl, false);
  assert.equal(back.flds[1]!.font, 'Liberation');
  assert.equal(back.tmpls[0]!.bsize, 12);
  assert.equal(back.usn, 7);
  assert.equal(back.mod, 1600000001);
  // a second trip changes nothing
  const again = notetypeToLegacy(notetypeFromLegacy(parseJson(stringifyJson(back))));
  assert.equal(stringifyJson(again), stringifyJson(back));
});

test('a stored unknown key never overrides a mapped one', () => {
  const nt = notetypeFromLegacy(legacyNotetype());
  nt.config.other = Buffer.from(JSON.stringify({ name: 'Evil', css: 'x', keep: 1 }));
  const json = notetypeToLegacy(nt);
  assert.equal(json.name, 'Vocab');
  assert.equal(json.css, '.card {}');
  assert.equal(json['keep'], 1);
});

test('the reference leniency: numeric-string id, invalid css, missing optional keys', () => {
  const nt = notetypeFromLegacy(legacyNotetype({ id: '1600000000000', css: 42, latexsvg: 'yes', req: 'junk' }));
  assert.equal(nt.id, 1600000000000);
  assert.equal(nt.config.css, '');
  assert.equal(nt.config.latex_svg, false);
  assert.deepEqual(nt.config.reqs, []);
  const minimal = legacyNotetype();
  delete minimal['latexPre'];
  delete minimal['req'];
  assert.equal(notetypeFromLegacy(minimal).config.latex_pre, '');
});

test('malformed notetypes are refused with a 400 and nothing stored', () => {
  for (const bad of [
    legacyNotetype({ name: undefined }),
    legacyNotetype({ type: 2 }),
    legacyNotetype({ flds: 'nope' }),
    legacyNotetype({ usn: 'x' }),
    legacyNotetype({ latexPre: 5 }),
    legacyNotetype({ flds: [{ name: 'F', sticky: false, rtl: false, size: 20 }] }),
    legacyNotetype({ tmpls: [{ name: 'T' }] }),
  ]) {
    assert.throws(
      () => notetypeFromLegacy(bad),
      (e: unknown) => e instanceof InvalidLegacyObjectError && e.status === 400,
    );
  }
  assert.throws(() => notetypeFromLegacy([]), InvalidLegacyObjectError);
});

test('changed since, name clashes and removal', () => {
  const db = emptyCollection();
  putNotetype(db, notetypeFromLegacy(legacyNotetype()));
  putNotetype(db, notetypeFromLegacy(legacyNotetype({ id: 1600000000001, name: 'Other', usn: 3 })));
  assert.deepEqual(
    notetypesChangedSince(db, 5).map((n) => n.id),
    [1600000000000],
  );
  assert.deepEqual(
    notetypesChangedSince(db, 3).map((n) => n.id),
    [1600000000000, 1600000000001],
  );

  const clash = notetypeFromLegacy(legacyNotetype({ id: 1600000000002, name: 'VOCAB', usn: 9 }));
  assert.equal(ensureNotetypeNameUnique(db, clash, 42, 1234), true);
  assert.equal(clash.name, 'VOCAB+');
  assert.equal(clash.usn, 42);
  assert.equal(clash.mtimeSecs, 1234);
  putNotetype(db, clash);
  const same = getNotetype(db, 1600000000000)!;
  assert.equal(ensureNotetypeNameUnique(db, same, 42), false, 'its own name is no clash');

  removeNotetype(db, 1600000000002);
  assert.equal(getNotetype(db, 1600000000002), undefined);
  assert.equal(db.prepare('SELECT count(*) FROM fields WHERE ntid = ?').pluck().get(1600000000002), 0);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

test('JSON parsed with JSON.parse (ids already rounded) is refused loudly, never stored', () => {
  const db = openFixtureCopy('v18-empty-stock-notetypes.anki2');
  const text = stringifyJson(notetypeToLegacy(allNotetypes(db)[0]!));
  assert.throws(() => notetypeFromLegacy(JSON.parse(text) as JsonValue), PrecisionLostError);
  assert.doesNotThrow(() => notetypeFromLegacy(parseJson(text)));
});
