import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseJson, stringifyJson } from '../../../src-main/server/storage/json.js';

test('integers beyond 2^53 come back digit for digit', () => {
  const text = '{"id":-5810753096973311499,"safe":1716208388863,"list":[18446744073709551615,2],"f":1.5e3,"s":"12345678901234567890"}';
  const value = parseJson(text);
  assert.deepEqual(value, {
    id: -5810753096973311499n,
    safe: 1716208388863,
    list: [18446744073709551615n, 2],
    f: 1500,
    s: '12345678901234567890',
  });
  assert.equal(stringifyJson(value), '{"id":-5810753096973311499,"safe":1716208388863,"list":[18446744073709551615,2],"f":1500,"s":"12345678901234567890"}');
});

test('the lossless path parses like JSON.parse', () => {
  const text = ' { "a" : [ true , false , null , -0.5 , "\\u00fc\\n\\"" ] , "b" : { } , "c" : [ ], "__proto__": 1, "n": 12345678901234567 } ';
  const value = parseJson(text) as Record<string, unknown>;
  assert.deepEqual(value['a'], [true, false, null, -0.5, 'ü\n"']);
  assert.deepEqual(value['b'], {});
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(Object.keys(value).includes('__proto__'), true);
  assert.equal(value['n'], 12345678901234567n);
});

test('bad JSON is a JsonSyntaxError on both paths', () => {
  for (const bad of ['{', '{"a":}', '[1,]', '{"a":1} x', '{"a":12345678901234567890', '"\u0001"']) {
    assert.throws(() => parseJson(bad), JsonSyntaxError, bad);
  }
});
