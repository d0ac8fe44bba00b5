import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { findCollationLibrary, openDatabase, outsideAsar } from '../../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture, realAnkiFixtures } from '../../support/real-anki-fixtures.js';

const db = openDatabase(':memory:');

const verdict = db
  .prepare(
    `SELECT CASE WHEN CAST(? AS TEXT) = CAST(? AS TEXT) COLLATE unicase THEN 0
                 WHEN CAST(? AS TEXT) < CAST(? AS TEXT) COLLATE unicase THEN -1
                 ELSE 1 END`,
  )
  .pluck();

/** The collation's verdict on two strings (or raw UTF-8 bytes, which may be invalid): -1, 0 or 1. */
function compare(a: string | Buffer, b: string | Buffer): number {
  return verdict.get(a, b, a, b) as number;
}

test('Maße equals MASSE: ß folds to "ss"', () => {
  assert.equal(compare('Maße', 'MASSE'), 0);
  assert.equal(compare('Maße', 'masse'), 0);
  assert.equal(compare('Maße', 'mase'), 1);
  // ẞ (capital sharp s) folds to "ss" too.
  assert.equal(compare('MAẞE', 'masse'), 0);
});

test('Greek sigma: σ, ς and Σ are all one letter', () => {
  assert.equal(compare('σ', 'ς'), 0);
  assert.equal(compare('Σ', 'ς'), 0);
  assert.equal(compare('Σ', 'σ'), 0);
  assert.equal(compare('στιγμας', 'στιγμασ'), 0);
  assert.equal(compare('ΣΤΙΓΜΑΣ', 'στιγμας'), 0);
  // σ sorts between ρ and τ, whatever its form.
  assert.equal(compare('ς', 'ρ'), 1);
  assert.equal(compare('ς', 'Τ'), -1);
});

test('a three-character folding compares in the crate iterator order: third, first, second', () => {
  // ﬃ folds to f,f,i and the crate yields i,f,f.
  assert.equal(compare('ﬃ', 'iff'), 0);
  assert.equal(compare('ﬃ', 'IFF'), 0);
  assert.notEqual(compare('ﬃ', 'ffi'), 0);
  // "iff" sorts after "h"; "ffi" would sort before it.
  assert.equal(compare('ﬃ', 'h'), 1);
  assert.equal(compare('ﬄ', 'lff'), 0);
  // ΐ folds to ι, ◌̈, ◌́ and compares as ◌́, ι, ◌̈.
  assert.equal(compare('ΐ', '\u0301\u03b9\u0308'), 0);
  assert.notEqual(compare('ΐ', '\u03b9\u0308\u0301'), 0);
  // Two-character foldings keep their order.
  assert.equal(compare('ﬁ', 'fi'), 0);
  assert.equal(compare('İ', 'i\u0307'), 0);
});

test('characters modern Unicode folds but unicase 2.6.0 does not stay distinct', () => {
  const unfoldedByCrate: Array<[string, string]> = [
    ['\u2C2F', '\u2C5F'], // Glagolitic caudate chrivi (Unicode 14)
    ['\uA7C0', '\uA7C1'], // Latin old Polish o (Unicode 14)
    ['\uA7D0', '\uA7D1'], // Latin closed insular g (Unicode 14)
    ['\u{10570}', '\u{10597}'], // Vithkuqi a (Unicode 14), four UTF-8 bytes
  ];
  for (const [upper, lower] of unfoldedByCrate) {
    // Node's own Unicode data does fold them: the crate's older table is what we match.
    assert.equal(upper.toLowerCase(), lower);
    assert.notEqual(compare(upper, lower), 0, `U+${upper.codePointAt(0)!.toString(16)}`);
    assert.equal(compare(upper, lower), upper.codePointAt(0)! < lower.codePointAt(0)! ? -1 : 1);
  }
  // …while older letters of the same scripts do fold.
  assert.equal(compare('\u2C00', '\u2C30'), 0);
});

test('ASCII compares by ASCII lowercase; mixed strings fold through the same table', () => {
  assert.equal(compare('a', 'B'), -1);
  assert.equal(compare('A', 'b'), -1);
  assert.equal(compare('aa', 'a'), 1);
  assert.equal(compare('a', 'AA'), -1);
  assert.equal(compare('', ''), 0);
  assert.equal(compare('', 'a'), -1);
  // Lowercase, not uppercase: '_' (0x5F) sorts before 'a' (0x61) but after 'Z' would.
  assert.equal(compare('_', 'A'), -1);
  assert.equal(compare('[', 'a'), -1);
  // The Kelvin sign and long s fold to ASCII letters.
  assert.equal(compare('\u212Aelvin', 'kelvin'), 0);
  assert.equal(compare('\u017Ft', 'ST'), 0);
  // Non-letters and accented letters are compared by code point after folding.
  assert.equal(compare('É', 'é'), 0);
  assert.equal(compare('é', 'f'), 1);
  assert.equal(compare('z', 'é'), -1);
});

test("invalid UTF-8 is compared as Rust's from_utf8_lossy reads it, without crashing", () => {
  const bytes = (...b: number[]) => Buffer.from(b);
  const replacement = Buffer.from('\uFFFD');
  // A lone bad byte and a lone continuation are one U+FFFD each.
  assert.equal(compare(bytes(0xff), replacement), 0);
  assert.equal(compare(bytes(0x80), bytes(0xff)), 0);
  // A truncated sequence is one U+FFFD; E0 80 is two (0x80 cannot follow E0).
  assert.equal(compare(bytes(0x61, 0xe2, 0x82), Buffer.from('a\uFFFD')), 0);
  assert.equal(compare(bytes(0xe0, 0x80), Buffer.from('\uFFFD\uFFFD')), 0);
  // An encoded surrogate: ED A0 80 is three bad bytes.
  assert.equal(compare(bytes(0xed, 0xa0, 0x80), Buffer.from('\uFFFD\uFFFD\uFFFD')), 0);
  // Overlong and beyond-U+10FFFF forms.
  assert.equal(compare(bytes(0xc0, 0xaf), Buffer.from('\uFFFD\uFFFD')), 0);
  assert.equal(compare(bytes(0xf4, 0x90, 0x80, 0x80), Buffer.from('\uFFFD\uFFFD\uFFFD\uFFFD')), 0);
  // Truncated four-byte sequence at the very end.
  assert.equal(compare(bytes(0xf0, 0x9f, 0x98), replacement), 0);
  // Embedded NUL is an ordinary character.
  assert.equal(compare(bytes(0x41, 0x00, 0x42), bytes(0x61, 0x00, 0x62)), 0);
  assert.equal(compare(bytes(0x41, 0x00), bytes(0x41)), 1);
});

test('every folding in the generated table holds in the loaded collation', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const header = readFileSync(join(dirname(findCollationLibrary(here)), '..', '..', 'unicase_table.h'), 'utf8');
  const entries = [...header.matchAll(/\{ 0x([0-9A-F]+), (\d), \{ 0x([0-9A-F]+), 0x([0-9A-F]+), 0x([0-9A-F]+) \} \}/g)];
  assert.ok(entries.length > 1400, `only ${entries.length} table entries parsed`);
  for (const [, from, len, ...to] of entries) {
    const source = String.fromCodePoint(parseInt(from!, 16));
    const folded = String.fromCodePoint(...to.slice(0, Number(len)).map((h) => parseInt(h, 16)));
    assert.equal(compare(source, folded), 0, `U+${from}`);
    assert.equal(compare(source + 'a', folded), 1, `U+${from} + a`);
  }
});

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

function sampleStrings(count: number, seed: number): string[] {
  const next = random(seed);
  const pool = [...'aAbBzZ_[{~09 éÉßẞﬃﬁσςΣİıK\u212A\u017Fſ\u2C2F\u2C5Fᾲὰ日本ＡａΐΰĲĳ', '\u{10400}', '\u{10428}', '\u{1F600}'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const length = next(6);
    for (let j = 0; j < length; j++) s += pool[next(pool.length)];
    out.push(s);
  }
  return out;
}

function sortedByCollation(conn: Database.Database, values: string[]): string[] {
  conn.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (s TEXT)');
  const insert = conn.prepare('INSERT INTO t VALUES (?)');
  conn.transaction(() => values.forEach((v) => insert.run(v)))();
  return conn.prepare('SELECT s FROM t ORDER BY s COLLATE unicase').pluck().all() as string[];
}

test('ordering is a total order: ORDER BY agrees with every pairwise comparison', () => {
  const values = sampleStrings(400, 7);
  const sorted = sortedByCollation(db, values);
  assert.equal(sorted.length, values.length);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const c = compare(sorted[i]!, sorted[j]!);
      assert.ok(c <= 0, `${JSON.stringify(sorted[i])} sorted before ${JSON.stringify(sorted[j])} but compares ${c}`);
      // Antisymmetry.
      assert.equal(compare(sorted[j]!, sorted[i]!), c === 0 ? 0 : -c);
    }
  }
  // Another insertion order gives the same sequence of equivalence classes.
  const again = sortedByCollation(db, [...values].reverse());
  for (let i = 0; i < sorted.length; i++) assert.equal(compare(sorted[i]!, again[i]!), 0);
});

test('an index ordered by the collation passes integrity_check', () => {
  const conn = openDatabase(':memory:');
  try {
    conn.exec('CREATE TABLE names (name TEXT NOT NULL COLLATE unicase); CREATE INDEX ix_names ON names (name)');
    const insert = conn.prepare('INSERT INTO names VALUES (?)');
    conn.transaction(() => sampleStrings(3000, 11).forEach((v) => insert.run(v)))();
    assert.equal(conn.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    // Lookups through the index find case variants.
    conn.prepare('INSERT INTO names VALUES (?)').run('Straße');
    const found = conn.prepare('SELECT name FROM names INDEXED BY ix_names WHERE name = ?').pluck().all('STRASSE');
    assert.deepEqual(found, ['Straße']);
  } finally {
    conn.close();
  }
});

test('PRAGMA integrity_check is ok on a copy of each schema-18 collection written by real Anki', () => {
  for (const name of realAnkiFixtures(/^v18-.*\.anki2$/)) {
    const copy = copyRealAnkiFixture(name);
    const conn = openDatabase(copy);
    try {
      assert.equal(conn.prepare('PRAGMA integrity_check').pluck().get(), 'ok', name);
      // The tags table declares COLLATE unicase; reading it needs the collation.
      conn.prepare('SELECT tag FROM tags ORDER BY tag').all();
    } finally {
      conn.close();
      rmSync(dirname(copy), { recursive: true, force: true });
    }
  }
});

test('the library is found outside app.asar when packaged by Electron', () => {
  assert.equal(
    outsideAsar('/opt/App/resources/app.asar/native/build/Release/unicase.so'),
    '/opt/App/resources/app.asar.unpacked/native/build/Release/unicase.so',
  );
  assert.equal(
    outsideAsar('C:\\App\\resources\\app.asar\\native\\build\\Release\\unicase.dll'),
    'C:\\App\\resources\\app.asar.unpacked\\native\\build\\Release\\unicase.dll',
  );
  assert.equal(outsideAsar('/home/me/app.asarx/native'), '/home/me/app.asarx/native');
  assert.throws(() => findCollationLibrary('/'), /npm run build:native/);
});
