// The control socket on its own: one request, one answer; modes that keep other
// OS users out; a socket left by a killed server replaced; one still answering kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { makeTempFolder } from '../support/temp-folder.js';
import { openControlSocket, probeSocket, type ControlHandlers } from '../../src-main/control/control-server.js';
import { askServer, ControlRequestError, runningServerSocket } from '../../src-main/control/control-client.js';
import { controlSocketPath, MAX_LINE_BYTES, parseRequest } from '../../src-main/control/control-protocol.js';

const skip = process.platform === 'win32' ? 'no Unix sockets on Windows' : false;

class Refused extends Error {}

const handlers: ControlHandlers = {
  async handle(request) {
    if (request.command === 'snapshots-restore' && request.id === 'gone') throw new Refused('That snapshot no longer exists.');
    return { echoed: request };
  },
  failure(error) {
    return error instanceof Refused ? { reason: 'no-such-snapshot', message: error.message } : { reason: 'server-error', message: 'boom' };
  },
};

test('answers a request with its value, a refusal with its reason and sentence', { skip }, async (t) => {
  const base = makeTempFolder('ahs-control-');
  const socket = (await openControlSocket(base, handlers))!;
  t.after(() => socket.close());
  assert.equal(await runningServerSocket(base), socket.path);
  assert.deepEqual(await askServer(socket.path, { command: 'snapshots-list', user: 'alice' }), {
    echoed: { command: 'snapshots-list', user: 'alice' },
  });
  await assert.rejects(askServer(socket.path, { command: 'snapshots-restore', user: 'alice', id: 'gone' }), (error: unknown) => {
    assert.ok(error instanceof ControlRequestError);
    assert.equal(error.reason, 'no-such-snapshot');
    assert.equal(error.message, 'That snapshot no longer exists.');
    return true;
  });
});

test('only its owner can reach it: the folder is 0700 and the socket 0600', { skip }, async (t) => {
  const base = makeTempFolder('ahs-control-');
  const socket = (await openControlSocket(base, handlers))!;
  t.after(() => socket.close());
  assert.equal(statSync(join(base, '.anki-home-sync')).mode & 0o777, 0o700);
  const st = statSync(socket.path);
  assert.ok(st.isSocket());
  assert.equal(st.mode & 0o777, 0o600);
});

test('a malformed or overlong request is refused in words, and nothing runs', { skip }, async (t) => {
  const base = makeTempFolder('ahs-control-');
  let ran = 0;
  const socket = (await openControlSocket(base, { ...handlers, handle: async () => ran++ }))!;
  t.after(() => socket.close());
  const send = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const c = createConnection(socket.path);
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      c.on('end', () => resolve(got));
      c.on('error', reject);
      c.write(text);
    });
  assert.match(await send('{"command":"rm -rf","user":"alice"}\n'), /"reason":"bad-request"/);
  assert.match(await send('not json\n'), /"reason":"bad-request"/);
  assert.match(await send('x'.repeat(MAX_LINE_BYTES + 10)), /too long/);
  assert.equal(ran, 0);
});

test('a socket left by a killed server is replaced; on close the socket file goes', { skip }, async () => {
  const base = makeTempFolder('ahs-control-');
  const path = controlSocketPath(base)!;
  // A child listens, then dies by SIGKILL: its socket file stays, with nobody behind it.
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:fs').mkdirSync(${JSON.stringify(join(base, '.anki-home-sync'))}, {recursive: true}); require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(path));
  assert.equal(await probeSocket(path), 'stale');
  assert.equal(await runningServerSocket(base), null);
  const socket = (await openControlSocket(base, handlers))!;
  assert.deepEqual(await askServer(socket.path, { command: 'snapshots-take', user: 'bob' }), {
    echoed: { command: 'snapshots-take', user: 'bob' },
  });
  await socket.close();
  assert.equal(existsSync(path), false);
  assert.equal(await runningServerSocket(base), null);
});

test("a regular file in the socket's place is replaced too", { skip }, async () => {
  const base = makeTempFolder('ahs-control-');
  const path = controlSocketPath(base)!;
  const first = (await openControlSocket(base, handlers))!;
  await first.close();
  writeFileSync(path, 'left over');
  const socket = (await openControlSocket(base, handlers))!;
  assert.equal(await probeSocket(path), 'live');
  await socket.close();
});

test('a socket another process still answers on is left alone', { skip }, async (t) => {
  const base = makeTempFolder('ahs-control-');
  const first = (await openControlSocket(base, handlers))!;
  t.after(() => first.close());
  await assert.rejects(openControlSocket(base, handlers), /another process already answers/);
  assert.equal(await probeSocket(first.path), 'live');
});

test('the protocol reads only the requests it knows', () => {
  assert.deepEqual(parseRequest('{"command":"snapshots-restore","user":"a","id":"x"}'), {
    command: 'snapshots-restore',
    user: 'a',
    id: 'x',
  });
  assert.equal(parseRequest('{"command":"snapshots-restore","user":"a"}'), null);
  assert.equal(parseRequest('{"command":"snapshots-list","user":""}'), null);
  assert.equal(parseRequest('{"command":"snapshots-extract","user":"a","id":"x"}'), null);
  assert.equal(parseRequest('[]'), null);
  assert.equal(controlSocketPath('/data', 'win32'), null);
});
