// Issue 24: "the window and the log show how much space each account's
// snapshots take". The window's figure is AccountSnapshots.spaceBytes (tested
// with the controller); each snapshot's log line carries the same total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../../src-main/server/report/log.js';
import { SyncHarness } from '../../support/normal-sync-harness.js';

test("each snapshot's log line says how much space the account's snapshots now take", async (t) => {
  const taken: Readonly<Record<string, unknown>>[] = [];
  const logger: Logger = {
    info: (message, fields) => void (message === 'snapshot taken' && fields !== undefined && taken.push(fields)),
    warn: () => undefined,
    error: () => undefined,
  };
  const harness = await SyncHarness.start({ kind: 'v11' }, { config: { snapshotMinutes: 0 }, logger });
  t.after(() => harness.stop());
  const device = harness.device();
  assert.equal(await harness.fullUpload(device), 'OK');
  device.addNote({ fields: ['space', 'in the log'] });
  assert.equal((await harness.sync(device)).required.kind, 'normalSync');
  await harness.server.server.snapshotsSettled();

  assert.ok(taken.length > 0, 'a snapshot was taken and logged');
  const last = taken.at(-1)!;
  assert.equal(last['uid'], 'user');
  assert.equal(last['account_bytes'], await harness.server.server.snapshots('user').spaceBytes());
  assert.ok(Number(last['account_bytes']) >= Number(last['bytes']));
});
