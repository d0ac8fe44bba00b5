// `npm run bench` — under attack: a learner's small normal sync (p50) and login
// (median, argon2id as the app stores it), first on an idle server and then
// during each attack of issue 10 on its own, as ratios to idle in this same
// run. The server runs in a child process; attackers use other loopback
// addresses than the learner, as a phone on the LAN does.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import argon2 from 'argon2';
import { Compressor } from 'zstd-napi';
import { deriveHostKey, type UserAccount, parseJson, stringifyJson } from '../src-main/server/index.js';
import { runNormalSync } from '../test/support/normal-sync-client.js';
import { REAL_ANKI_FIXTURES } from '../test/support/fixture-paths.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { plainUser } from '../test/support/test-server.js';
import { TestDevice } from '../test/support/test-device.js';
import { makeTempFolder } from '../test/support/temp-folder.js';
import { V11Client } from '../test/support/v11-client.js';
import { newSessionKey } from '../test/support/v11-transport.js';
import {
  idleSocket,
  keepAttacking,
  loginFrom,
  rawRequest,
  stalledLegacyDataFirst,
  stalledV11Body,
  wave,
  zstdBomb,
} from '../test/support/attacks.js';
import { median } from './support/median.js';

const MiB = 1024 * 1024;
const SYNC_RUNS = 15;
const LOGIN_RUNS = 5;

async function argonUser(name: string, password: string): Promise<UserAccount> {
  const phc = await argon2.hash(password, { type: argon2.argon2id });
  return { name, secret: { kind: 'phc', phc }, hostKey: deriveHostKey(`${name}:${phc}`) };
}

interface Learner {
  readonly device: TestDevice;
  readonly hostKey: string;
}

async function prepareLearner(server: ServerProcess): Promise<Learner> {
  const path = join(makeTempFolder('ahs-bench-attack-'), 'alice.anki2');
  copyFileSync(join(REAL_ANKI_FIXTURES, 'v18-two-decks-16-notes.anki2'), path);
  const hostKey = await new V11Client(server.baseUrl).login('alice', 'alice-pass');
  const setup = new TestDevice(path);
  setup.beforeUpload();
  setup.close();
  await new V11Client(server.baseUrl, { hostKey }).fullUpload(path);
  return { device: new TestDevice(path), hostKey };
}

async function measure(server: ServerProcess, learner: Learner): Promise<{ syncMs: number; loginMs: number }> {
  const syncs: number[] = [];
  for (let i = 0; i < SYNC_RUNS; i++) {
    learner.device.addNote({ fields: [`bench ${Date.now()} ${i}`, 'back'] });
    const client = new V11Client(server.baseUrl, { hostKey: learner.hostKey, sessionKey: newSessionKey() });
    const started = performance.now();
    await runNormalSync(learner.device.db, {
      call: async (method, body) => parseJson((await client.raw('sync', method, stringifyJson(body))).toString('utf8')),
    });
    syncs.push(performance.now() - started);
  }
  const logins: number[] = [];
  for (let i = 0; i < LOGIN_RUNS; i++) {
    const started = performance.now();
    const status = await loginFrom(server.port, 'alice', 'alice-pass', '127.0.0.1');
    if (status !== 200) throw new Error(`the learner's login got ${status}`);
    logins.push(performance.now() - started);
  }
  return { syncMs: median(syncs), loginMs: median(logins) };
}

const server = await startServerProcess({
  users: [await argonUser('alice', 'alice-pass'), plainUser('mallory', 'mallory-pass')],
  maxPayloadMegs: 32,
});
try {
  const learner = await prepareLearner(server);
  const malloryKey = await new V11Client(server.baseUrl).login('mallory', 'mallory-pass');
  const bomb = zstdBomb(300 * MiB);
  const graves = new Compressor().compress(Buffer.from(`{"chunk":{"cards":[${'1234567890123,'.repeat(2_000_000)}1]}}`));
  const attacks: [string, () => Promise<unknown>][] = [
    [
      'legacy data before any key, 8 × 8 MiB',
      () => wave(() => Array.from({ length: 8 }, () => stalledLegacyDataFirst(server.port, 8 * MiB, '127.0.0.2'))),
    ],
    [
      'zstd bombs with an account, 6 × 300 MiB',
      () => wave(() => Array.from({ length: 6 }, () => stalledV11Body(server.port, malloryKey, 'applyChunk', bomb, '127.0.0.3'))),
    ],
    ['applyGraves with 2 M ids', () => wave(() => [stalledV11Body(server.port, malloryKey, 'applyGraves', graves, '127.0.0.3')])],
    [
      'wrong passwords for alice, 40 at a time',
      () => Promise.all(Array.from({ length: 40 }, (_, i) => loginFrom(server.port, 'alice', `guess ${i}`, '127.0.0.4').catch(() => 0))),
    ],
    ['30 idle sockets', () => wave(() => Array.from({ length: 30 }, () => idleSocket(server.port, '127.0.0.5')), 3_000)],
    [
      '200 KB request heads',
      () =>
        wave(() =>
          Array.from({ length: 5 }, () =>
            rawRequest(server.port, `GET /health HTTP/1.1\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`, '127.0.0.6'),
          ),
        ),
    ],
  ];

  const idle = await measure(server, learner);
  console.log('learner on 127.0.0.1: small normal sync (one new note) p50, and login (argon2id) median');
  console.log(`${'idle'.padEnd(44)} sync ${idle.syncMs.toFixed(1).padStart(7)} ms        login ${idle.loginMs.toFixed(1).padStart(7)} ms`);
  for (const [name, attack] of attacks) {
    let stop = false;
    const running = Array.from({ length: 2 }, () => keepAttacking(() => stop, attack));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const during = await measure(server, learner);
    stop = true;
    await Promise.all(running);
    const ratio = (value: number, base: number): string => `×${(value / base).toFixed(2)}`;
    console.log(
      `${name.padEnd(44)} sync ${during.syncMs.toFixed(1).padStart(7)} ms ${ratio(during.syncMs, idle.syncMs).padStart(6)}  login ${during.loginMs
        .toFixed(1)
        .padStart(7)} ms ${ratio(during.loginMs, idle.loginMs).padStart(6)}`,
    );
  }
  console.log(`server peak RSS: ${((await server.peak()) / MiB).toFixed(0)} MiB`);
  learner.device.close();
} finally {
  await server.stop();
}
