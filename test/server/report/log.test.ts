// Issue 10, item 11: text from clients cannot forge log lines or drive a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLine, MAX_LOG_VALUE_CHARS, safeLogText } from '../../../src-main/server/report/log.js';

test('newlines, ESC sequences, C1 controls and line separators are escaped, never written raw', () => {
  const hostile = 'ankidesktop,2.1.16\n2026-12-03T00:00:00.000Z finished uid=admin\u001b[2J\u009b31m\u2028x\r';
  const line = logLine('finished', { client: hostile, uid: 'alice' });
  assert.equal(line.split('\n').length, 1);
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u);
  assert.match(line, /\\x0a2026-12-03/);
  assert.match(line, /\\x1b\[2J\\x9b31m\\u2028x\\x0d/);
  assert.match(line, / uid=alice$/);
});

test('a long value is cut, and says how much was left out', () => {
  const text = safeLogText('v'.repeat(MAX_LOG_VALUE_CHARS + 1000));
  assert.ok(text.startsWith('v'.repeat(MAX_LOG_VALUE_CHARS)));
  assert.ok(text.endsWith('…(+1000 chars)'));
  assert.ok(logLine('m', { client: 'x'.repeat(100_000) }).length < 400);
});

test('ordinary values are written as they are', () => {
  assert.match(
    logLine('finished', { uri: '/sync/meta', httpstatus: 200, client: '25.02,1a2b,linux' }),
    / uri=\/sync\/meta httpstatus=200 client=25.02,1a2b,linux$/,
  );
});
