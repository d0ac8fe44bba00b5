import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseJson, stringifyJson } from '../../src-main/server/json.js';

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
  assert.equal(
    stringifyJson(value),
    '{"id":-5810753096973311499,"safe":1716208388863,"list":[18446744073709551615,2],"f":1500,"s":"12345678901234567890"}',
  );
});

test('the lossless path parses like JSON.parse', () => {
  const text =
    ' { "a" : [ true , false , null , -0.5 , "\\u00fc\\n\\"" ] , "b" : { } , "c" : [ ], "__proto__": 1, "n": 12345678901234567 } ';
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

test('stringifyJson matches JSON.stringify, bigints aside', () => {
  const samples: unknown[] = [
    null,
    0,
    -1.5,
    'x"\n',
    [1, undefined, null],
    { a: undefined, b: [true], c: { d: 'é' } },
    new Date(0),
    { n: NaN },
  ];
  for (const sample of samples) assert.equal(stringifyJson(sample), JSON.stringify(sample));
  assert.equal(stringifyJson(undefined), 'null');
  assert.equal(
    stringifyJson({ d: new Date(0), b: 12345678901234567890n, u: undefined, list: [undefined, 2n ** 64n] }),
    '{"d":"1970-01-01T00:00:00.000Z","b":12345678901234567890,"list":[null,18446744073709551616]}',
  );
});

test('request bodies and replies carry 64-bit ids exactly (json-body, reply bytes)', async () => {
  const { parseJsonBody } = await import('../../src-main/server/json-body.js');
  const { replyBytes } = await import('../../src-main/server/envelope/reply-bytes.js');
  const body = Buffer.from('{"changes":{"models":[{"flds":[{"id":-5810753096973311499}]}]}}');
  const value = parseJsonBody(body) as { changes: { models: { flds: { id: bigint }[] }[] } };
  assert.equal(value.changes.models[0]!.flds[0]!.id, -5810753096973311499n);
  assert.deepEqual(replyBytes({ kind: 'json', value }), body);
  assert.deepEqual(replyBytes({ kind: 'json', value: undefined }), Buffer.from('null'));
});

test('the lossless path is fast enough for a chunk-sized body', () => {
  const notes = Array.from({ length: 20000 }, (_, i) => [
    1700000000000 + i,
    'guid' + i,
    1,
    2,
    3,
    ' tag ',
    `phone 12345678901234567 field ${'x'.repeat(200)}`,
    '',
    '',
    0,
    '',
  ]);
  const text = JSON.stringify({ notes });
  const start = process.hrtime.bigint();
  const parsed = parseJson(text) as { notes: unknown[][] };
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(parsed.notes.length, 20000);
  assert.deepEqual(parsed, JSON.parse(text));
  console.log(`lossless parse of ${(text.length / 1e6).toFixed(1)} MB: ${ms.toFixed(0)} ms`);
});
