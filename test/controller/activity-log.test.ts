import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityLog } from '../../src-main/controller/activity-log.js';

test('events read as sentences, newest first, errors flagged', () => {
  const log = new ActivityLog(3);
  log.recordServerEvent({ kind: 'login-failed', username: 'alice', clientIp: '192.168.1.31', at: 1 });
  log.recordServerEvent({ kind: 'full-upload', username: 'alice', clientIp: '192.168.1.31', at: 2 });
  log.recordServerEvent({ kind: 'error', username: 'bob', clientIp: '10.0.0.2', at: 3, detail: 'SqliteError: constraint failed' });
  const [error, upload, failed] = log.recent();
  assert.equal(failed!.message, 'A device from 192.168.1.31 tried to log in as alice with a wrong password.');
  assert.ok(failed!.isError);
  assert.match(upload!.message, /^alice's collection was replaced by a full upload from 192\.168\.1\.31\. The previous copy is kept/);
  assert.ok(!upload!.isError);
  assert.ok(!error!.message.includes('Sqlite'), 'technical details stay out of the window');
  log.recordApp('The server started on port 8080.', false, 4);
  assert.equal(log.recent().length, 3, 'the list is bounded');
  assert.equal(log.recent()[0]!.kind, 'server');
});
