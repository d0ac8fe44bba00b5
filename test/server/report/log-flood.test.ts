// The log's flood gate on its own (log-flood.ts): the window ends by itself and
// writes its counts, the next window writes lines again, and a client cannot
// grow what is held by varying what it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../../src-main/server/report/log.js';
import { LogFloodGate } from '../../../src-main/server/report/log-flood.js';
import { eventually } from '../../support/attacks.js';

function recording(lines: string[]): Logger {
  const push = (message: string, fields?: Readonly<Record<string, unknown>>): void => {
    lines.push(fields?.repeated === undefined ? message : `${message} [${Number(fields.repeated)}]`);
  };
  return { info: push, warn: push, error: push };
}

test('a window ends by itself with one line per kind held, and the next window writes lines again', async () => {
  const lines: string[] = [];
  const gate = new LogFloodGate(recording(lines), { perWindow: 2, windowMs: 50 });
  for (let i = 0; i < 5; i++) gate.info('request refused', { httpstatus: 403, context: `try ${i}` });
  gate.error('request failed', { context: 'disk full' });
  assert.deepEqual(lines, ['request refused', 'request refused']);
  await eventually(() => lines.length > 2, 'the window ends');
  assert.deepEqual(lines.slice(2).sort(), [
    'request failed: 1 more like this in the last 50 ms, not written one by one [1]',
    'request refused: 3 more like this in the last 50 ms, not written one by one [3]',
  ]);
  gate.info('request refused', { httpstatus: 403 });
  assert.equal(lines.at(-1), 'request refused');
  gate.flush();
});

test('held lines of many kinds are kept as a bounded number of counts', () => {
  const lines: string[] = [];
  const gate = new LogFloodGate(recording(lines), { perWindow: 0, windowMs: 60_000 });
  for (let i = 0; i < 1000; i++) gate.info(`refused ${i}`, { httpstatus: 400 });
  gate.flush();
  assert.ok(lines.length <= 21, `${lines.length} lines`);
  const total = lines.reduce((sum, line) => sum + Number(/\[(\d+)\]$/.exec(line)![1]), 0);
  assert.equal(total, 1000, 'every held line is counted');
  assert.ok(lines.some((line) => line.startsWith('other lines: 980 more')));
});
