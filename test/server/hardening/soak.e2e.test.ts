// Issue 10, "what done looks like": every attack at once against one server,
// for a bounded time, while two learners sync throughout. Their syncs all
// succeed, nothing of theirs is lost, the server never falls over, and its
// peak RSS stays under idle + 256 MiB. The server runs in a child process so
// that only its own memory is measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Compressor } from 'zstd-napi';
import { plainUser } from '../../support/test-server.js';
import { isAlive, startServerProcess, type ServerProcess } from '../../support/server-process.js';
import {
  idleSocket,
  rawRequest,
  stalledLegacyDataFirst,
  stalledV11Body,
  withDeadline,
  loginFrom,
  keepAttacking,
  wave,
  zstdBomb,
} from '../../support/attacks.js';
import { V11Client } from '../../support/v11-client.js';
import { newSessionKey } from '../../support/v11-transport.js';
import { TestDevice } from '../../support/test-device.js';
import { runNormalSync, type CollectionTransport } from '../../support/normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from '../../support/fixture-paths.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { forgeZip, uploadMembers } from '../../support/zip-forge.js';
import { parseJson, stringifyJson } from '../../../src-main/server/json.js';

const MiB = 1024 * 1024;
const SOAK_MS = 25_000;
const learners = [plainUser('alice', 'alice-pass'), plainUser('bob', 'bob-pass')];
const mallory = plainUser('mallory', 'mallory-pass');

function transport(client: V11Client): CollectionTransport {
  return { call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')) };
}

async function learnerSyncs(
  server: ServerProcess,
  name: string,
  password: string,
  until: number,
): Promise<{ syncs: number; device: TestDevice }> {
  const folder = makeTempFolder('ahs-soak-');
  const path = join(folder, `${name}.anki2`);
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const device = new TestDevice(path);
  const hostKey = await new V11Client(server.baseUrl).login(name, password);
  device.beforeUpload();
  device.close();
  assert.equal(await new V11Client(server.baseUrl, { hostKey }).fullUpload(path), 'OK');
  const synced = new TestDevice(path);
  let syncs = 0;
  while (Date.now() < until) {
    synced.addNote({ fields: [`${name} ${syncs}`, 'back'] });
    const result = await runNormalSync(synced.db, transport(new V11Client(server.baseUrl, { hostKey, sessionKey: newSessionKey() })));
    assert.equal(result.required.kind, 'normalSync', `${name}'s sync ${syncs}`);
    // A learner logs in again now and then (a new device).
    if (syncs % 5 === 0) assert.equal(await new V11Client(server.baseUrl).login(name, password), hostKey);
    syncs++;
  }
  return { syncs, device: synced };
}

test(
  'every attack at once for 25 s: two learners sync throughout, lose nothing, and the server stays up and bounded',
  { timeout: 120_000 },
  async (t) => {
    const server = await startServerProcess({ users: [...learners, mallory], maxPayloadMegs: 32 });
    try {
      const malloryKey = await new V11Client(server.baseUrl).login('mallory', 'mallory-pass');
      const idle = await server.peak();
      const until = Date.now() + SOAK_MS;
      const bomb = zstdBomb(300 * MiB);
      const graves = new Compressor().compress(
        Buffer.from(`{"chunk":{"cards":[${'1234567890123,'.repeat(2_000_000)}1],"notes":[],"decks":[]}}`),
      );
      const lyingZip = forgeZip(
        uploadMembers([['x.jpg', Buffer.alloc(50 * MiB)]], true).map((m) =>
          m.name === '0' ? { ...m, central: { uncompressedSize: 1000 } } : m,
        ),
      );
      const attacks = [
        // 6: legacy data before any key, spooled under the quota.
        keepAttacking(until, () => wave(() => Array.from({ length: 8 }, () => stalledLegacyDataFirst(server.port, 8 * MiB, '127.0.0.2')))),
        // 7 and 10: zstd bombs with an account, and a graves list far over its cap.
        keepAttacking(until, () =>
          wave(() => [
            ...Array.from({ length: 6 }, () => stalledV11Body(server.port, malloryKey, 'applyChunk', bomb, '127.0.0.3')),
            stalledV11Body(server.port, malloryKey, 'applyGraves', graves, '127.0.0.3'),
          ]),
        ),
        // 1: a hostile media zip, whole.
        keepAttacking(until, async () => {
          const client = new V11Client(server.baseUrl, { hostKey: malloryKey });
          await client.raw('msync', 'begin', JSON.stringify({ v: 'soak' })).catch(() => undefined);
          await client.raw('msync', 'uploadChanges', lyingZip);
        }),
        // 9: wrong passwords for a learner's account.
        keepAttacking(until, () =>
          Promise.all(
            Array.from({ length: 40 }, (_, i) => loginFrom(server.port, 'alice', `guess ${i}`, '127.0.0.4').catch(() => undefined)),
          ),
        ),
        // 8: idle sockets, and 4: heads too large.
        keepAttacking(until, () => wave(() => Array.from({ length: 30 }, () => idleSocket(server.port, '127.0.0.5')), 3_000)),
        keepAttacking(until, () =>
          wave(() =>
            Array.from({ length: 5 }, () =>
              rawRequest(server.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`, '127.0.0.6'),
            ),
          ),
        ),
        // 3: malformed JSON and rows.
        keepAttacking(until, () =>
          new V11Client(server.baseUrl, { hostKey: malloryKey }).raw('sync', 'applyChunk', '{"chunk":{"revlog":[["x"]]}}'),
        ),
      ];
      const [alice, bob] = await Promise.all([
        learnerSyncs(server, 'alice', 'alice-pass', until),
        learnerSyncs(server, 'bob', 'bob-pass', until),
      ]);
      await withDeadline(Promise.all(attacks), 'the attacks wind down', 60_000);
      const peak = await server.peak();
      t.diagnostic(
        `alice ${alice.syncs} and bob ${bob.syncs} syncs; peak RSS idle ${(idle / MiB).toFixed(0)} MiB, under attack ${(peak / MiB).toFixed(0)} MiB`,
      );
      assert.ok(alice.syncs >= 3 && bob.syncs >= 3, 'the learners kept syncing');
      assert.ok(peak - idle < 256 * MiB, `peak RSS grew by ${((peak - idle) / MiB).toFixed(0)} MiB`);
      assert.ok(await isAlive(server));
      // Nothing lost: a fresh download of each learner's collection has every note the learner made.
      for (const [learner, result] of [
        [learners[0]!, alice],
        [learners[1]!, bob],
      ] as const) {
        const hostKey = await new V11Client(server.baseUrl).login(learner.name, `${learner.name}-pass`);
        const copy = join(makeTempFolder('ahs-soak-check-'), 'downloaded.anki2');
        await new V11Client(server.baseUrl, { hostKey }).fullDownload(copy);
        const downloaded = new TestDevice(copy);
        try {
          const ids = (db: TestDevice['db']) => (db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as number[]).join(',');
          assert.equal(ids(downloaded.db), ids(result.device.db), `${learner.name}'s notes`);
        } finally {
          downloaded.close();
          result.device.close();
        }
      }
    } finally {
      await server.stop();
    }
  },
);
