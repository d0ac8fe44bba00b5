import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clearConfigUsns,
  getAllConfig,
  getConfigEntries,
  getConfigValue,
  setAllConfig,
  setConfigValue,
} from '../../../../src-main/server/storage/objects/index.js';
import { parseJson, stringifyJson } from '../../../../src-main/server/json.js';
import { V18_FIXTURES, emptyCollection, openFixtureCopy, tableRows } from './helpers.js';

for (const fixture of V18_FIXTURES) {
  test(`${fixture}: config rows → legacy conf object → rows keep every value byte for byte`, () => {
    const source = openFixtureCopy(fixture);
    const conf = getAllConfig(source);
    assert.equal(conf['sortType'], 'noteFld');
    assert.deepEqual(conf['activeDecks'], [1]);
    const target = emptyCollection();
    setAllConfig(target, parseJson(stringifyJson(conf)), 0, 0);
    const vals = (db: typeof source) => tableRows(db, 'config', 'KEY').map((r) => [(r as { KEY: string }).KEY, (r as { val: string }).val]);
    assert.deepEqual(vals(target), vals(source));
  });
}

test('values keep 64-bit integers, nested objects and strings exactly', () => {
  const db = emptyCollection();
  setConfigValue(db, 'big', 9007199254740993n, 3, 100);
  setConfigValue(db, 'obj', { a: [1, 'b', null, true], s: 'ü "q"' }, 3, 100);
  assert.equal(getConfigValue(db, 'big'), 9007199254740993n);
  assert.deepEqual(getConfigValue(db, 'obj'), { a: [1, 'b', null, true], s: 'ü "q"' });
  assert.equal(Buffer.from(db.prepare("SELECT val FROM config WHERE KEY = 'big'").pluck().get() as Buffer).toString(), '9007199254740993');
  assert.equal(getConfigValue(db, 'missing'), undefined);
});

test('setAllConfig replaces everything and stamps usn/mtime; clearConfigUsns zeroes them', () => {
  const db = emptyCollection();
  setAllConfig(db, { a: 1, b: 'x' }, 5, 1000);
  setAllConfig(db, { b: 'y', c: false }, 6, 2000);
  assert.deepEqual(getAllConfig(db), { b: 'y', c: false });
  assert.deepEqual(
    getConfigEntries(db).map((e) => [e.key, e.usn, e.mtimeSecs]),
    [
      ['b', 6, 2000],
      ['c', 6, 2000],
    ],
  );
  clearConfigUsns(db);
  assert.deepEqual(
    getConfigEntries(db).map((e) => e.usn),
    [0, 0],
  );
});
