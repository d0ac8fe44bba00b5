// Issue 10, items 6 and 7: memory cannot be pinned, with or without an
// account. The server runs in a child process so that its own peak RSS is
// measured while clients here hold requests open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { plainUser } from '../../support/test-server.js';
import { startServerProcess, isAlive } from '../../support/server-process.js';
import { eventually, stalledLegacyDataFirst, stalledV11Body, withDeadline, zstdBomb } from '../../support/attacks.js';
import { V11Client } from '../../support/v11-client.js';
import { SERVER_FOLDER } from '../../../src-main/server/storage/user-paths.js';

const MiB = 1024 * 1024;
const alice = plainUser('alice', 'alice-pass');
const bob = plainUser('bob', 'bob-pass');

function folderBytes(folder: string): number {
  return readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

test('legacy data sent before any key is spooled to disk, not held: 12 stalled 32 MiB forms leave the peak RSS nearly flat', async (t) => {
  const server = await startServerProcess({ users: [alice] });
  try {
    await new V11Client(server.baseUrl).login('alice', 'alice-pass');
    const before = await server.peak();
    const spool = join(server.baseFolder, SERVER_FOLDER);
    const attacks = Array.from({ length: 12 }, () => stalledLegacyDataFirst(server.port, 32 * MiB));
    await Promise.all(attacks.map((attack) => attack.sent));
    // Everything sent has reached the server once the spool holds (almost) all of it; 64 KiB each may still be in memory.
    await eventually(() => folderBytes(spool) >= 12 * (32 * MiB - 64 * 1024), 'the data of 12 forms reached the spool');
    const growth = (await server.peak()) - before;
    t.diagnostic(`peak RSS growth: ${(growth / MiB).toFixed(0)} MiB`);
    assert.ok(growth < 128 * MiB, `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB for 384 MiB held unauthenticated`);
    // A learner still logs in meanwhile.
    assert.match(await new V11Client(server.baseUrl).login('alice', 'alice-pass'), /^[0-9a-f]{40}$/);
    for (const attack of attacks) attack.socket.destroy();
    await eventually(() => readdirSync(spool).length === 0, 'the spooled data is removed once the connections go');
  } finally {
    await server.stop();
  }
});

test('unauthenticated spooling has a quota: past it the form is answered 503, and the spool stays under it', async () => {
  // MAX_SYNC_PAYLOAD_MEGS=4: a quota of 16 MiB for data that comes before its key.
  const server = await startServerProcess({ users: [alice], maxPayloadMegs: 4 });
  try {
    const spool = join(server.baseFolder, SERVER_FOLDER);
    const attacks = Array.from({ length: 8 }, () => stalledLegacyDataFirst(server.port, 3.5 * MiB));
    await Promise.all(attacks.map((attack) => attack.sent));
    let refused = 0;
    for (const attack of attacks) void attack.status.then((status) => (refused += status === 503 ? 1 : 0));
    await eventually(() => refused >= 3, 'at least three of eight 3.5 MiB forms refused with 503 (16 MiB hold four)');
    assert.ok(folderBytes(spool) <= 16 * MiB, `${folderBytes(spool)} bytes spooled`);
    for (const attack of attacks) attack.socket.destroy();
    assert.ok(await isAlive(server));
  } finally {
    await server.stop();
  }
});

test('an account cannot pin memory either: 8 stalled zstd bombs of 300 MiB each are refused at their cap, a few at a time', async (t) => {
  const server = await startServerProcess({ users: [alice, bob] });
  try {
    const client = new V11Client(server.baseUrl);
    const hostKey = await client.login('alice', 'alice-pass');
    const before = await server.peak();
    const bomb = zstdBomb(300 * MiB);
    assert.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes on the wire`);
    const attacks = Array.from({ length: 8 }, (_, i) => stalledV11Body(server.port, hostKey, i % 2 === 0 ? 'applyChunk' : 'meta', bomb));
    // Each is cut off at its method's cap (1 MiB for meta, MAX_SYNC_JSON_MEGS for applyChunk), four at a time.
    const statuses = await withDeadline(Promise.all(attacks.map((attack) => attack.status)), 'an answer to each bomb');
    assert.deepEqual(statuses, Array<number>(8).fill(400));
    const growth = (await server.peak()) - before;
    t.diagnostic(`peak RSS growth: ${(growth / MiB).toFixed(0)} MiB`);
    assert.ok(growth < 128 * MiB, `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB for 8 × 300 MiB bombs`);
    // Another account was never affected.
    await new V11Client(server.baseUrl).login('bob', 'bob-pass');
    for (const attack of attacks) attack.socket.destroy();
  } finally {
    await server.stop();
  }
});
