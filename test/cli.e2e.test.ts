// The headless command as a user runs it: a child process with the official
// environment variables.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { V11Client } from './support/v11-client.js';
import { copyRealAnkiFixture } from './support/real-anki-fixtures.js';
import { makeTempFolder } from './support/temp-folder.js';
import { createTestAuthority } from './support/test-ca.js';
import { statusOf, trustAuthority } from './support/v11-transport.js';
import { parsePhc, verifyPhc } from '../src-main/server/auth/phc.js';

const BIN = fileURLToPath(new URL('../../bin/anki-home-sync.js', import.meta.url));

interface Running {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Long enough for a loaded machine; a command still running then is killed and the test fails. */
const EXIT_DEADLINE_MS = 30_000;

/** Starts the command; the test's after hook kills it if it is still running, and waits for it to exit. */
function run(t: TestContext, env: Record<string, string>, args: string[] = []): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  // The addresses follow "listening" in writes of their own.
  await outputMatching(running, new RegExp(`http://127\\.0\\.0\\.1:${port}/`));
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

/** Waits until the command's output matches, or fails once it exits or 20 s pass. */
async function outputMatching(running: Running, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!pattern.test(running.output())) {
    if (running.child.exitCode !== null || Date.now() > deadline) assert.fail(`no ${pattern} in:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function loginStatus(port: number, user: string, password: string): Promise<number> {
  return statusOf(new V11Client(`http://127.0.0.1:${port}/`).login(user, password));
}

test('SYNC_USERS_FILE: accounts change while it runs, a mistake keeps them, and no password reaches the log', async (t) => {
  const folder = makeTempFolder('ahs-cli-users-');
  const usersFile = join(folder, 'users.txt');
  writeFileSync(usersFile, 'alice:Alice-Secret-1\n', { mode: 0o600 });
  const running = run(t, {
    SYNC_USER1: 'admin:Admin-Secret-0',
    SYNC_USERS_FILE: usersFile,
    SYNC_HOST: '127.0.0.1',
    SYNC_PORT: '0',
    SYNC_BASE: join(folder, 'base'),
  });
  const port = await listeningPort(running);
  await outputMatching(running, /Users: admin, alice \(SYNC_USERS_FILE .*users\.txt is watched for changes\)/);
  assert.equal(await loginStatus(port, 'alice', 'Alice-Secret-1'), 200);

  writeFileSync(usersFile, 'bob:Bob-Secret-2\n');
  await outputMatching(running, /accounts changed from SYNC_USERS_FILE added=bob removed=alice accounts=2/);
  assert.equal(await loginStatus(port, 'bob', 'Bob-Secret-2'), 200);
  assert.equal(await loginStatus(port, 'alice', 'Alice-Secret-1'), 403);
  assert.equal(await loginStatus(port, 'admin', 'Admin-Secret-0'), 200);

  writeFileSync(usersFile, 'bob:Bob-Secret-2\ncarol-Secret-3\n');
  await outputMatching(
    running,
    /SYNC_USERS_FILE changed but was not used; the accounts stay as they were reason="SYNC_USERS_FILE line 2 should be/,
  );
  assert.equal(await loginStatus(port, 'bob', 'Bob-Secret-2'), 200);

  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0);
  assert.doesNotMatch(running.output(), /Secret/, 'no password in the log');
});

/** `anki-home-sync hash-password` with `input` piped in. */
function hashPasswordPiped(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'hash-password', ...args], { input, encoding: 'utf8', timeout: EXIT_DEADLINE_MS });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('hash-password prints a PHC hash of the piped password: argon2id, or pbkdf2-sha256 with --pbkdf2', async () => {
  const argon = hashPasswordPiped([], 'Piped Secret\nnot this line\n');
  assert.equal(argon.status, 0, argon.stderr);
  assert.match(argon.stdout, /^\$argon2id\$[^\n]+\n$/);
  assert.equal(await verifyPhc(parsePhc(argon.stdout.trim()), 'Piped Secret'), true);
  const pbkdf2 = hashPasswordPiped(['--pbkdf2'], 'Piped Secret');
  assert.equal(pbkdf2.status, 0, pbkdf2.stderr);
  assert.match(pbkdf2.stdout, /^\$pbkdf2-sha256\$i=600000,l=32\$/);
  assert.equal(await verifyPhc(parsePhc(pbkdf2.stdout.trim()), 'Piped Secret'), true);

  const empty = hashPasswordPiped([], '\n');
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /the password is empty; nothing was hashed/);
  assert.equal(empty.stdout, '');
  const unknown = hashPasswordPiped(['--md5'], 'x');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown option "--md5"\nusage: anki-home-sync hash-password \[--pbkdf2\]/);
});

test(
  'hash-password at a terminal asks twice and echoes nothing; the hash logs in with PASSWORDS_HASHED',
  { skip: process.platform !== 'linux' },
  async (t) => {
    // util-linux `script` gives the command a terminal; what it prints is what the person at it would see.
    const child = spawn(
      'script',
      ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} hash-password --pbkdf2`, '/dev/null'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    t.after(() => child.kill('SIGKILL'));
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (text: string): Promise<void> => {
      for (let i = 0; i < 400 && !seen.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(seen.includes(text), `"${text}" in ${JSON.stringify(seen)}`);
    };
    // Typed only once asked: typed ahead, the terminal itself would echo it before the command hides it.
    await waitFor('Password: ');
    child.stdin.write('Typed Secret\r');
    await waitFor('again: ');
    child.stdin.write('Typed Secret\r');
    assert.equal(await exited, 0, seen);
    assert.ok(!seen.includes('Typed Secret'), `the password was echoed: ${JSON.stringify(seen)}`);
    assert.match(seen, /write every \$ in it as \$\$/);
    const phc = /(\$pbkdf2-sha256\$\S+)/.exec(seen)?.[1];
    assert.ok(phc !== undefined, seen);

    const running = run(t, {
      SYNC_USER1: `alice:${phc}`,
      PASSWORDS_HASHED: '1',
      SYNC_HOST: '127.0.0.1',
      SYNC_PORT: '0',
      SYNC_BASE: makeTempFolder('ahs-cli-'),
    });
    const port = await listeningPort(running);
    assert.equal(await loginStatus(port, 'alice', 'Typed Secret'), 200);
    assert.equal(await loginStatus(port, 'alice', 'Typed secret'), 403);
    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0);
  },
);

test('--healthcheck exits 0 when something answers on SYNC_HOST:SYNC_PORT, 1 otherwise, whatever the accounts say', async (t) => {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  t.after(() => listener.close());
  const port = String((listener.address() as import('node:net').AddressInfo).port);
  const check = (env: Record<string, string>): Promise<number | null> => run(t, { ...env, SYNC_PORT: port }, ['--healthcheck']).exited;
  // No accounts at all, or a users file with a mistake, leave a running server healthy.
  assert.equal(await check({ SYNC_HOST: '127.0.0.1' }), 0);
  assert.equal(await check({ SYNC_HOST: '0.0.0.0', SYNC_USERS_FILE: '/nonexistent/users.txt' }), 0);
  listener.close();
  await new Promise((resolve) => listener.once('close', resolve));
  assert.equal(await check({ SYNC_HOST: '127.0.0.1' }), 1);
  assert.equal(await run(t, { SYNC_PORT: 'eighty', SYNC_HOST: '127.0.0.1' }, ['--healthcheck']).exited, 1);
});

test('certificate make: needs no SYNC_USER1, writes the root and the pair, prints the two variables; the server then serves them', async (t) => {
  const folder = makeTempFolder('ahs-cli-home-ca-');
  const out = join(folder, 'certs');
  const made = spawnSync(process.execPath, [BIN, 'certificate', 'make', '--names', 'localhost,127.0.0.1', '--out', out], {
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
    timeout: EXIT_DEADLINE_MS,
  });
  assert.equal(made.status, 0, made.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['ca.key', 'ca.mobileconfig', 'ca.pem', 'server.key', 'server.pem']);
  assert.match(made.stdout, new RegExp(`SYNC_TLS_CERT=${join(out, 'server.pem')}\\n  SYNC_TLS_KEY=${join(out, 'server.key')}`));
  assert.match(made.stdout, /AnkiDroid: copy the whole text of ca\.pem into Settings → Sync → Custom sync certificate/);
  assert.match(made.stdout, /Certificate Trust Settings/);
  const again = spawnSync(process.execPath, [BIN, 'certificate', 'make', '--names', 'localhost,127.0.0.1', '--out', out], {
    encoding: 'utf8',
  });
  assert.match(again.stdout, /already covers localhost, 127\.0\.0\.1; nothing was changed/);
  const wrong = spawnSync(process.execPath, [BIN, 'certificate', 'make', '--out', out], { encoding: 'utf8' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /--names is required/);

  trustAuthority(readFileSync(join(out, 'ca.pem')));
  t.after(() => trustAuthority(undefined));
  const running = run(t, {
    SYNC_USER1: 'user:pass',
    SYNC_HOST: '127.0.0.1',
    SYNC_PORT: '0',
    SYNC_BASE: join(folder, 'base'),
    SYNC_TLS_CERT: join(out, 'server.pem'),
    SYNC_TLS_KEY: join(out, 'server.key'),
  });
  const port = await listeningPort(running);
  assert.equal(await new V11Client(`https://localhost:${port}/`).login('user', 'pass'), 'b2619aa1529dfdc4248e6edbf3c1b2a2b014cf6d');
  // iPhones get the root from the server itself, as a profile.
  const profile = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, servername: 'localhost', path: '/home-root.mobileconfig', ca: readFileSync(join(out, 'ca.pem')) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual([profile.status, profile.type], [200, 'application/x-apple-aspen-config']);
  assert.equal(profile.body, readFileSync(join(out, 'ca.mobileconfig'), 'utf8'), 'the same profile certificate make wrote');
  for (let i = 0; i < 100 && !/home-root\.mobileconfig/.test(running.output()); i++) await sleep(20);
  assert.match(running.output(), /iPhones and iPads: open home-root\.mobileconfig at one of these addresses in Safari/);
  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0);
});
