// One user's sync never waits for another's: each has its own collection,
// lock and transaction.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, stringifyJson } from '../../../../src-main/server/json.js';
import { runNormalSync, type CollectionTransport } from '../../../support/normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from '../../../support/real-anki-fixtures.js';
import { TestDevice } from '../../../support/test-device.js';
import { plainUser, startTestServer, type TestServer } from '../../../support/test-server.js';
import { V11Client } from '../../../support/v11-client.js';
import { newSessionKey } from '../../../support/v11-transport.js';

const alice = plainUser('alice', 'a-secret');
const bob = plainUser('bob', 'b-secret');
let server: TestServer;
before(async () => {
  server = await startTestServer({ users: [alice, bob] });
});
after(() => server.close());

function transport(hostKey: string): CollectionTransport {
  const client = new V11Client(server.baseUrl, { hostKey, sessionKey: newSessionKey() });
  return {
    call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')),
  };
}

function deviceFor(name: string): TestDevice {
  const path = join(server.baseFolder, `${name}-device.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  return new TestDevice(path);
}

test("a sync left open by one user does not hold up another user's whole sync", async () => {
  const devices = { alice: deviceFor('alice'), bob: deviceFor('bob') };
  try {
    for (const [name, account] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const client = new V11Client(server.baseUrl, { hostKey: account.hostKey });
      devices[name].beforeUpload();
      assert.equal(await client.fullUpload(devices[name].path), 'OK');
    }
    // Alice's sync stops half-way, its transaction open.
    const aliceClient = transport(alice.hostKey);
    const { usn } = (await aliceClient.call('meta', { v: 11, cv: '' })) as { usn: number };
    await aliceClient.call('start', { minUsn: usn, lnewer: true, graves: null });
    await aliceClient.call('applyGraves', { chunk: { cards: [], notes: [], decks: [] } });

    // Bob syncs a change from start to finish meanwhile.
    devices.bob.addNote({ fields: ['bob', 'only'] });
    const result = await runNormalSync(devices.bob.db, transport(bob.hostKey));
    assert.equal(result.required.kind, 'normalSync');

    // Alice's session is still hers and still open.
    assert.deepEqual(await aliceClient.call('chunk', { _pad: null }), { done: true });
    await aliceClient.call('abort', { _pad: null });
  } finally {
    devices.alice.close();
    devices.bob.close();
  }
});
