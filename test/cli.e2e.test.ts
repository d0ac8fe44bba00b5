// The headless command as a user runs it: a child process with the official
// environment variables.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V11Client } from './support/v11-client.js';
import { copyRealAnkiFixture } from './support/real-anki-fixtures.js';
import { makeTempFolder } from './support/temp-folder.js';
import { createTestAuthority } from './support/test-ca.js';
import { trustAuthority } from './support/v11-transport.js';

const BIN = fileURLToPath(new URL('../../bin/anki-home-sync.js', import.meta.url));

interface Running {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Long enough for a loaded machine; a command still running then is killed and the test fails. */
const EXIT_DEADLINE_MS = 30_000;

/** Starts the command; the test's after hook kills it if it is still running, and waits for it to exit. */
function run(t: TestContext, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    const deadline = setTimeout(() => {
      output += `\n[test] still running after ${EXIT_DEADLINE_MS} ms: killed`;
      child.kill('SIGKILL');
    }, EXIT_DEADLINE_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      resolve(signal === 'SIGKILL' ? -1 : code);
    });
  });
  // Its SYNC_BASE is removed when this process exits: the command must be gone by then.
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output, exited };
}

async function listeningPort(running: Running): Promise<number> {
  for (;;) {
    const match = /listening on 127\.0\.0\.1:(\d+)/.exec(running.output());
    if (match) return Number(match[1]);
    const code = await Promise.race([running.exited, new Promise<'wait'>((resolve) => setTimeout(() => resolve('wait'), 50))]);
    if (code !== 'wait') throw new Error(`exited with ${code}: ${running.output()}`);
  }
}

test('starts with the official variables, prints where it listens and the address for Anki, stops on SIGTERM', async (t) => {
  const base = makeTempFolder('ahs-cli-');
  const running = run(t, { SYNC_USER1: 'user:pass', SYNC_HOST: '127.0.0.1', SYNC_PORT: '0', SYNC_BASE: base });
  const port = await listeningPort(running);
  assert.match(running.output(), new RegExp(`http://127\\.0\\.0\\.1:${port}/`));
  const client = new V11Client(`http://127.0.0.1:${port}/`);
  assert.equal(await client.login('user', 'pass'), 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
  assert.equal(await client.fullUpload(copyRealAnkiFixture('v18-two-decks-16-notes.anki2')), 'OK');
  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0);
  assert.ok(existsSync(join(base, 'user', 'collection.anki2')));
  assert.deepEqual(
    readdirSync(join(base, 'user')).filter((name) => name.endsWith('-wal') || name.startsWith('upload-')),
    [],
  );
});

test('SIGINT stops it cleanly too', async (t) => {
  const running = run(t, { SYNC_USER1: 'user:pass', SYNC_HOST: '127.0.0.1', SYNC_PORT: '0', SYNC_BASE: makeTempFolder('ahs-cli-') });
  await listeningPort(running);
  running.child.kill('SIGINT');
  assert.equal(await running.exited, 0);
});

test('without SYNC_USER1 it exits non-zero and says so', async (t) => {
  const running = run(t, { SYNC_BASE: makeTempFolder('ahs-cli-'), SYNC_USER2: 'x:y' });
  assert.notEqual(await running.exited, 0);
  assert.match(running.output(), /SYNC_USER1/);
});

test('when the port is taken it exits non-zero and says so', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  try {
    const running = run(t, {
      SYNC_USER1: 'user:pass',
      SYNC_HOST: '127.0.0.1',
      SYNC_PORT: String(port),
      SYNC_BASE: makeTempFolder('ahs-cli-'),
    });
    assert.notEqual(await running.exited, 0);
    assert.match(running.output(), new RegExp(`couldn't bind to 127\\.0\\.0\\.1:${port}: the port is already in use`));
  } finally {
    blocker.close();
  }
});

test('bad settings are refused with the variable named', async (t) => {
  const base = makeTempFolder('ahs-cli-');
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SYNC_HOST: 'localhost' }, /SYNC_HOST/],
    [{ SYNC_PORT: '70000' }, /SYNC_PORT/],
    [{ MAX_SYNC_PAYLOAD_MEGS: 'lots' }, /MAX_SYNC_PAYLOAD_MEGS/],
    [{ PASSWORDS_HASHED: '1' }, /SYNC_USER1.*password hash/],
    [{ SYNC_USER1: '../evil:pw' }, /SYNC_USER1.*folder/],
  ];
  for (const [env, message] of cases) {
    const running = run(t, { SYNC_USER1: 'user:pass', SYNC_BASE: base, SYNC_PORT: '0', ...env });
    assert.notEqual(await running.exited, 0, JSON.stringify(env));
    assert.match(running.output(), message);
  }
});

test('with SYNC_TLS_CERT and SYNC_TLS_KEY it serves HTTPS and prints https addresses', async (t) => {
  const folder = makeTempFolder('ahs-cli-tls-');
  const ca = createTestAuthority(folder);
  const pair = ca.issue('server', { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  trustAuthority(ca.rootPem);
  t.after(() => trustAuthority(undefined));
  const running = run(t, {
    SYNC_USER1: 'user:pass',
    SYNC_HOST: '127.0.0.1',
    SYNC_PORT: '0',
    SYNC_BASE: join(folder, 'base'),
    SYNC_TLS_CERT: pair.certFile,
    SYNC_TLS_KEY: pair.keyFile,
  });
  const port = await listeningPort(running);
  assert.match(running.output(), /\(HTTPS\)/);
  // The addresses are printed once the certificate's names have been looked up, just after "listening".
  const line = new RegExp(`https://localhost:${port}/\\s+this computer only`);
  for (let i = 0; i < 100 && !line.test(running.output()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(running.output(), line);
  assert.equal(await new V11Client(`https://localhost:${port}/`).login('user', 'pass'), 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0);

  // One of the two alone is a mistake, said before anything starts.
  const half = run(t, { SYNC_USER1: 'user:pass', SYNC_BASE: join(folder, 'base'), SYNC_PORT: '0', SYNC_TLS_CERT: pair.certFile });
  assert.notEqual(await half.exited, 0);
  assert.match(half.output(), /SYNC_TLS_CERT and SYNC_TLS_KEY go together/);
  // A key that is not the certificate's: the server does not start, and says why.
  const other = ca.issue('other', { dnsNames: ['localhost'] });
  const mismatched = run(t, {
    SYNC_USER1: 'user:pass',
    SYNC_HOST: '127.0.0.1',
    SYNC_BASE: join(folder, 'base'),
    SYNC_PORT: '0',
    SYNC_TLS_CERT: pair.certFile,
    SYNC_TLS_KEY: other.keyFile,
  });
  assert.notEqual(await mismatched.exited, 0);
  assert.match(mismatched.output(), /does not belong to the certificate/);
});
