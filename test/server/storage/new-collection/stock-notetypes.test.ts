import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginalStockKind, stockNotetypes } from '../../../../src-main/server/storage/new-collection/stock-notetypes.js';
import { readDecodedFixture, scalarFields, textField } from '../../../support/decoded-fixture.js';

const real = readDecodedFixture('v18-empty-stock-notetypes.decoded.txt');
const realNotetypes = real.filter((r) => r.table === 'notetypes');

test('six stock notetypes, in Anki order, with consecutive ids', () => {
  const notetypes = stockNotetypes(1_700_000_000_000);
  assert.deepEqual(
    notetypes.map((n) => n.name),
    realNotetypes.map((r) => r.attrs.name),
  );
  assert.deepEqual(
    notetypes.map((n) => n.id),
    [0, 1, 2, 3, 4, 5].map((i) => 1_700_000_000_000 + i),
  );
  assert.deepEqual(
    notetypes.map((n) => n.type),
    [0, 0, 0, 0, 1, 1],
  );
  // Current Anki numbers them 1..6; the fixture's Anki 23.10 was off by one for three of them.
  assert.deepEqual(
    notetypes.map((n) => n.originalStockKind),
    Object.values(OriginalStockKind),
  );
  for (const n of notetypes) {
    assert.equal(n.mod, 0);
    assert.equal(n.usn, 0);
    assert.equal(n.sortf, 0);
    assert.equal(n.did, null);
    assert.equal(n.latexsvg, false);
  }
});

test('fields and templates are what real Anki creates', () => {
  const notetypes = stockNotetypes(1);
  for (const [index, nt] of notetypes.entries()) {
    const realId = realNotetypes[index]!.attrs.id;
    const realFields = real.filter((r) => r.table === 'fields' && r.attrs.ntid === realId);
    const realTemplates = real.filter((r) => r.table === 'templates' && r.attrs.ntid === realId);
    assert.deepEqual(
      nt.flds.map((f) => [f.ord, f.name, f.font, f.size, f.tag, f.preventDeletion]),
      realFields.map((r) => [
        Number(r.attrs.ord),
        r.attrs.name,
        textField(r, 'font_name'),
        Number(scalarFields(r, 'font_size')[0]),
        scalarFields(r, 'tag').length ? Number(scalarFields(r, 'tag')[0]) : null,
        scalarFields(r, 'prevent_deletion')[0] === 'true',
      ]),
      nt.name,
    );
    assert.deepEqual(
      nt.tmpls.map((t) => [t.ord, t.name, t.qfmt, t.afmt]),
      realTemplates.map((r) => [Number(r.attrs.ord), r.attrs.name, textField(r, 'q_format'), textField(r, 'a_format')]),
      nt.name,
    );
  }
});

test('card requirements match what Anki computed for the same templates', () => {
  const kinds: Record<string, string> = { KIND_ANY: 'any', KIND_ALL: 'all', KIND_NONE: 'none' };
  for (const [index, nt] of stockNotetypes(1).entries()) {
    // reqs { card_ord: n kind: K field_ords: a field_ords: b } blocks, flattened one line each.
    const lines = realNotetypes[index]!.lines;
    const expected: Array<[number, string, number[]]> = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== 'reqs {') continue;
      const req: [number, string, number[]] = [0, 'none', []];
      for (i++; lines[i] !== '}'; i++) {
        const [key, value] = lines[i]!.split(': ') as [string, string];
        if (key === 'card_ord') req[0] = Number(value);
        if (key === 'kind') req[1] = kinds[value]!;
        if (key === 'field_ords') req[2].push(Number(value));
      }
      expected.push(req);
    }
    assert.deepEqual(nt.req, expected, nt.name);
  }
});

test("styling: Anki's current stock CSS, the cloze rules on cloze types", () => {
  const notetypes = stockNotetypes(1);
  for (const nt of notetypes) {
    assert.match(
      nt.css,
      /^(#image-occlusion-canvas \{[^}]*\}\n\n)?\.card \{\n {4}font-family: arial;\n {4}font-size: 20px;\n {4}line-height: 1\.5;/,
    );
    assert.equal(nt.css.includes('.cloze {'), nt.name === 'Cloze');
    assert.equal(nt.latexPre, textField(realNotetypes[0]!, 'latex_pre'));
    assert.equal(nt.latexPost, textField(realNotetypes[0]!, 'latex_post'));
  }
  // The fixture predates line-height and the highlight colours; everything else is identical.
  for (const [index, nt] of notetypes.entries()) {
    const realCss = textField(realNotetypes[index]!, 'css')!;
    const ours = nt.css.replace('    line-height: 1.5;\n', '').replace(/ {4}--highlight-shape-[^\n]*\n/g, '');
    assert.equal(ours, realCss, nt.name);
  }
});

test('field and template ids are random, distinct and exact in JSON', () => {
  const ids = [...stockNotetypes(1), ...stockNotetypes(1)].flatMap((n) => [...n.flds.map((f) => f.id), ...n.tmpls.map((t) => t.id)]);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.ok(Number.isSafeInteger(id) && id !== 0, String(id));
    assert.equal(JSON.parse(JSON.stringify(id)), id);
  }
  assert.ok(ids.some((id) => id < 0) && ids.some((id) => id > 0));
});
