// A start that fails (here: the port is taken) leaves nothing open, so the same
// server object, or a new one on the same folder, can start once the port is free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { SyncServer } from '../../src-main/server/server.js';
import { silentLogger } from '../../src-main/server/report/log.js';
import { plainUser } from '../support/test-server.js';
import { V11Client } from '../support/v11-client.js';
import { makeTempFolder } from '../support/temp-folder.js';

test('a failed start releases every user folder, and a retry on the same folder starts', async (t) => {
  const baseFolder = makeTempFolder('ahs-server-retry-');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  t.after(() => rmSync(baseFolder, { recursive: true, force: true }));

  const config = { host: '127.0.0.1', port, baseFolder, maxPayloadMegs: 100, users: [plainUser('alice', 'a')] };
  const first = new SyncServer(config, { logger: silentLogger });
  await assert.rejects(first.start(), /already in use/);
  assert.equal(first.status.state, 'stopped');

  await new Promise((resolve) => blocker.close(resolve));
  // media.db is held exclusively while a server runs: it must have been let go.
  const second = new SyncServer(config, { logger: silentLogger });
  await second.start();
  try {
    await new V11Client(`http://127.0.0.1:${port}/`).login('alice', 'a');
  } finally {
    await second.stop();
  }
  await first.start();
  await first.stop();
});
