// Changes that normal sync cannot carry: the client bumps scm and the next
// sync is a full one; a notetype whose field count changed arriving by normal
// sync is refused with 400 and nothing is kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getNotetype, putNotetype } from '../../../../src-main/server/storage/objects/notetypes.js';
import { SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';
import { SyncHttpError } from '../../../support/v11-transport.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

test('adding a field bumps scm: the next sync is a full sync, which both devices can then do', async () => {
  const { a, b } = await twoDevicesInStep(harness);
  await harness.sync(a);
  const notetypeId = a.firstNotetypeId();
  a.addFieldToNotetype(notetypeId, 'Extra');
  const result = await harness.sync(a);
  assert.deepEqual(result.required, { kind: 'fullSync', uploadOk: true, downloadOk: true });
  assert.equal(await harness.fullUpload(a), 'OK');
  const syncB = await harness.sync(b);
  assert.equal(syncB.required.kind, 'fullSync', 'B sees the new scm');
  const b2 = await harness.fullDownload(b);
  assert.equal(getNotetype(b2.db, notetypeId)?.fields.length, getNotetype(a.db, notetypeId)?.fields.length);
});

test('deleting a notetype forces a full sync', async () => {
  const { a } = await twoDevicesInStep(harness);
  await harness.sync(a);
  a.deleteNotetype(a.addNotetype('Temporary'));
  assert.equal((await harness.sync(a)).required.kind, 'fullSync');
});

test('a notetype with a different field count sent by normal sync gets 400; the server keeps nothing', async () => {
  const { a } = await twoDevicesInStep(harness);
  await harness.sync(a);
  const before = harness.serverContents();
  const notetype = getNotetype(a.db, a.firstNotetypeId())!;
  notetype.fields.push({ ...notetype.fields[0]!, name: 'Sneaky' });
  notetype.mtimeSecs = a.nowSecs() + 5;
  notetype.usn = -1;
  putNotetype(a.db, notetype); // without the scm bump a real client would make
  a.addDeck('also sent');
  a.markModified();
  await assert.rejects(harness.sync(a), (error: unknown) => error instanceof SyncHttpError && error.status === 400);
  assert.deepEqual(harness.serverContents(), before);
});
