import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityLog, appSeverityOf, describeAppActivity, severityOf } from '../../src-main/controller/activity-log.js';

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
  log.recordApp({ kind: 'started', port: 8080, https: false }, 4);
  assert.equal(log.recent().length, 3, 'the list is bounded');
  assert.equal(log.recent()[0]!.kind, 'server');
});

test('whether an entry is marked is said by its event, never read out of its sentence', () => {
  const at = 1;
  const certificate = { kind: 'certificate', username: '', clientIp: '', at } as const;
  // An expiry warning is marked because the server says it is a warning...
  const expiring = { ...certificate, detail: 'The HTTPS certificate expires on 2027-01-01, in 3 days.', warning: true };
  assert.equal(severityOf(expiring), 'warning');
  // ...and a sentence that merely mentions expiry, with no flag, is not (a regex once decided this).
  assert.equal(severityOf({ ...certificate, detail: 'The HTTPS certificate was renewed; it expires later.' }), null);
  assert.equal(severityOf({ ...certificate, detail: 'The new pair could not be used.', failed: true }), 'failure');
  assert.equal(severityOf({ kind: 'storage', username: '', clientIp: '', at, detail: 'The folder is back.', failed: false }), null);
  assert.equal(severityOf({ kind: 'storage', username: '', clientIp: '', at, detail: 'The folder is gone.', failed: true }), 'failure');
  assert.equal(severityOf({ kind: 'protocol-drift', username: 'alice', clientIp: '10.0.0.2', at }), 'failure');
  assert.equal(severityOf({ kind: 'normal-sync', username: 'alice', clientIp: '10.0.0.2', at }), null);

  const log = new ActivityLog();
  assert.ok(log.recordServerEvent(expiring).isError, 'the window marks a warning as it marks a failure');
  assert.ok(!log.recordServerEvent({ ...certificate, detail: 'renewed', warning: false }).isError);
});

test("the app's own events are sentences written here, and say which are failures", () => {
  assert.equal(describeAppActivity({ kind: 'started', port: 8080, https: true }), 'The server started on port 8080, with HTTPS.');
  assert.equal(describeAppActivity({ kind: 'stopped' }), 'The server stopped.');
  assert.equal(describeAppActivity({ kind: 'start-failed', reason: 'Port 8080 is in use.' }), 'Port 8080 is in use.');
  assert.match(
    describeAppActivity({ kind: 'snapshot-restored', username: 'alice', takenAt: Date.UTC(2026, 11, 7, 5) }),
    /^alice's collection was restored to its snapshot of .+\. Its devices will ask to sync in full: choose Download on each\. The collection it replaced is kept as a snapshot\.$/,
  );
  assert.match(
    describeAppActivity({ kind: 'snapshot-restored', username: 'alice', takenAt: null }),
    /^alice's collection was restored to a snapshot\./,
  );
  assert.match(describeAppActivity({ kind: 'update-not-installed' }), /^The new version could not be installed/);
  assert.equal(appSeverityOf({ kind: 'start-failed', reason: 'x' }), 'failure');
  assert.equal(appSeverityOf({ kind: 'update-not-installed' }), 'failure');
  assert.equal(appSeverityOf({ kind: 'started', port: 1, https: false }), null);
  assert.equal(appSeverityOf({ kind: 'snapshot-restored', username: 'alice', takenAt: null }), null);
});
