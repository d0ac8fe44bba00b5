// Our proto/ declarations against blobs written by real Anki: each blob of the
// two schema-18 fixtures decodes to the values `protoc --decode` printed with
// the reference's own .proto files (decoded/*.decoded.txt), and re-encodes to
// the very same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';
import { blobCodecs, protoRoot, type BlobCodec } from '../../../src-main/server/storage/proto-codec.js';
import { REAL_ANKI_FIXTURES, copyRealAnkiFixture } from '../../support/real-anki-fixtures.js';
import { parseDecodedDump, parseTextMessage, type DecodedSection } from './prototext.js';

const FIXTURES = ['v18-empty-stock-notetypes', 'v18-two-decks-16-notes'];

const codecByType: Record<string, BlobCodec<unknown>> = Object.fromEntries(
  Object.values(blobCodecs).map((c) => [c.typeName, c as BlobCodec<unknown>]),
);

interface BlobCase {
  where: string;
  typeName: string;
  text: string;
  bytes: Uint8Array;
}

function blobCases(fixture: string): BlobCase[] {
  const sections = parseDecodedDump(readFileSync(join(REAL_ANKI_FIXTURES, 'decoded', `${fixture}.decoded.txt`), 'utf8'));
  const db = openDatabase(copyRealAnkiFixture(`${fixture}.anki2`), { readonly: true });
  const cases: BlobCase[] = [];
  const lookup = (section: DecodedSection, label: string | undefined): Uint8Array => {
    const a = section.attrs;
    const one = (sql: string, ...args: unknown[]): Uint8Array => {
      const row = db
        .prepare(sql)
        .pluck()
        .get(...args);
      assert.ok(row instanceof Uint8Array, `${fixture}: no blob for ${section.table} ${JSON.stringify(a)}`);
      return row;
    };
    switch (section.table) {
      case 'notetypes':
        return one('SELECT config FROM notetypes WHERE id = ?', BigInt(a['id']!));
      case 'fields':
        return one('SELECT config FROM fields WHERE ntid = ? AND ord = ?', BigInt(a['ntid']!), Number(a['ord']));
      case 'templates':
        return one('SELECT config FROM templates WHERE ntid = ? AND ord = ?', BigInt(a['ntid']!), Number(a['ord']));
      case 'decks':
        return one(`SELECT ${label === 'kind' ? 'kind' : 'common'} FROM decks WHERE id = ?`, BigInt(a['id']!));
      case 'deck_config':
        return one('SELECT config FROM deck_config WHERE id = ?', BigInt(a['id']!));
      default:
        throw new Error(`unexpected table ${section.table}`);
    }
  };
  for (const section of sections) {
    for (const blob of section.blobs) {
      cases.push({
        where: `${fixture} ${section.table} ${JSON.stringify(section.attrs)} ${blob.label ?? ''}`,
        typeName: blob.typeName,
        text: blob.text,
        bytes: lookup(section, blob.label),
      });
    }
  }
  db.close();
  return cases;
}

for (const fixture of FIXTURES) {
  test(`${fixture}: every blob decodes to the reference's values and re-encodes byte for byte`, () => {
    const cases = blobCases(fixture);
    assert.ok(cases.length >= 10, `only ${cases.length} blobs found`);
    const seenTypes = new Set<string>();
    for (const c of cases) {
      const type = protoRoot().lookupType(c.typeName);
      const codec = codecByType[c.typeName];
      assert.ok(codec, `no codec for ${c.typeName}`);
      seenTypes.add(c.typeName);

      // the oracle's values, through our schema (unknown field names throw)
      const expected = type.fromObject(parseTextMessage(type, c.text));
      const expectedBytes = type.encode(expected).finish();
      const view = (bytes: Uint8Array) =>
        type.toObject(type.decode(bytes), { longs: String, enums: String, bytes: String, defaults: false, oneofs: false });
      assert.deepEqual(view(c.bytes), view(expectedBytes), `${c.where}: decoded values differ`);
      assert.deepEqual(Buffer.from(expectedBytes), Buffer.from(c.bytes), `${c.where}: oracle re-encoded differs`);

      // our typed codec: decode then encode gives the same bytes
      const decoded = codec.decode(c.bytes);
      assert.deepEqual(Buffer.from(codec.encode(decoded)), Buffer.from(c.bytes), `${c.where}: codec round trip differs`);
    }
    assert.ok(seenTypes.size >= 6, `covered ${[...seenTypes].join(', ')}`);
  });
}

test('int64 values beyond 2^53 decode exactly as bigint', () => {
  const cases = blobCases('v18-empty-stock-notetypes').filter((c) => c.typeName.endsWith('Field.Config'));
  const first = blobCodecs.fieldConfigCodec.decode(cases[0]!.bytes);
  assert.equal(first.id, -5810753096973311499n);
  assert.equal(first.font_name, 'Arial');
  assert.equal(first.tag, undefined);
  const cloze = cases.find((c) => c.text.includes('tag: 0'))!;
  const clozeField = blobCodecs.fieldConfigCodec.decode(cloze.bytes);
  assert.equal(clozeField.tag, 0, 'an optional field present with value 0 stays present');
  assert.equal(clozeField.prevent_deletion, true);
});

test('proto3 defaults are omitted and optional presence is kept when encoding', () => {
  const codec = blobCodecs.fieldConfigCodec;
  const empty = codec.empty();
  assert.equal(codec.encode(empty).length, 0);
  assert.deepEqual([...codec.encode({ ...empty, tag: 0 })], [0x50, 0x00]);
  assert.deepEqual(codec.decode(codec.encode({ ...empty, id: 2n ** 62n })).id, 2n ** 62n);
  assert.deepEqual(codec.decode(codec.encode({ ...empty, id: -1n })).id, -1n);
});

test('deck kind: a blob with neither normal nor filtered is refused', () => {
  assert.throws(() => blobCodecs.deckKindCodec.decode(new Uint8Array(0)), /neither a normal nor a filtered/);
  const filtered = blobCodecs.deckKindCodec.encode({
    filtered: {
      reschedule: true,
      search_terms: [{ search: 'is:due', limit: 100, order: 6 }],
      delays: [],
      preview_delay: 0,
      preview_again_secs: 60,
      preview_hard_secs: 600,
      preview_good_secs: 0,
    },
  });
  const back = blobCodecs.deckKindCodec.decode(filtered);
  assert.equal(back.filtered?.search_terms[0]?.order, 6);
  assert.equal(back.normal, undefined);
});

test('the loader finds proto/ relative to its own module', () => {
  assert.ok(protoRoot().lookupType('anki.decks.Deck.Common') instanceof protobuf.Type);
});
