// The method table (src-main/server/method-table.ts) on a real User and real
// files: each method's input is parsed from its descriptor before its handler
// runs, and a step of a normal sync is parsed inside the session it belongs to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BadRequestError, ConflictError } from '../../src-main/server/errors.js';
import { findMethod, METHODS, type HostKeyMethod, type SyncArea } from '../../src-main/server/method-table.js';
import type { SyncRequest } from '../../src-main/server/protocol.js';
import { newUser } from '../support/temp-user.js';

function request(method: string, json: string, sessionKey = 'session-1'): SyncRequest {
  return {
    hostKey: 'host-key',
    transportVersion: 11,
    sessionKey,
    clientVersion: 'anki,test,linux',
    body: { kind: 'buffer', data: Buffer.from(json, 'utf8') },
    method,
    clientIp: '127.0.0.1',
  };
}

function hostKeyMethod(area: SyncArea, name: string): HostKeyMethod {
  const found = findMethod(area, name);
  assert.ok(found !== undefined && found.auth === 'host-key', `${area}/${name}`);
  return found;
}

const USER_METHODS: ReadonlyArray<[SyncArea, string]> = [
  ['sync', 'meta'],
  ['sync', 'start'],
  ['sync', 'abort'],
  ['sync', 'download'],
  ['msync', 'begin'],
  ['msync', 'mediaChanges'],
  ['msync', 'downloadFiles'],
  ['msync', 'mediaSanity'],
];

test('the table lists each method once, and every JSON method of the user is named above', () => {
  const paths = METHODS.map((m) => `${m.area}/${m.name}`);
  assert.equal(new Set(paths).size, paths.length);
  const session = ['applyGraves', 'applyChanges', 'chunk', 'applyChunk', 'sanityCheck2', 'finish'].map((name) => `sync/${name}`);
  const jsonMethods = METHODS.filter((m) => m.auth === 'host-key' && m.body === 'json').map((m) => `${m.area}/${m.name}`);
  assert.deepEqual(jsonMethods.sort(), [...USER_METHODS.map(([area, name]) => `${area}/${name}`), ...session].sort());
});

test('a body of the wrong shape is a 400 before the handler runs: no collection or media database is opened', async () => {
  for (const [area, name] of USER_METHODS) {
    const user = newUser('ahs-methods-');
    await assert.rejects(
      user.withLock(async () => hostKeyMethod(area, name).handle(user, request(name, '[]'))),
      (error: unknown) => error instanceof BadRequestError,
      `${area}/${name}`,
    );
    assert.equal(existsSync(user.paths.collection), false, `${area}/${name} opened the collection`);
    assert.equal(existsSync(user.paths.mediaDb), false, `${area}/${name} opened the media database`);
  }
});

test('a step of a normal sync is parsed inside its session: without one it is a 409, malformed in one it rolls the sync back', async () => {
  const user = newUser('ahs-methods-');
  const run = (area: SyncArea, name: string, json: string): Promise<unknown> =>
    user.withLock(async () => hostKeyMethod(area, name).handle(user, request(name, json)));
  const chunk = '{"chunk":{"done":true}}';

  await assert.rejects(run('sync', 'applyChunk', '[]'), (error: unknown) => error instanceof ConflictError);

  await run('sync', 'start', '{"minUsn":0,"lnewer":false}');
  await run('sync', 'applyChunk', chunk);
  await assert.rejects(run('sync', 'applyChunk', '{"chunk":{"done":"yes"}}'), (error: unknown) => error instanceof BadRequestError);
  // The sync is gone: its next step has no session to run in.
  await assert.rejects(run('sync', 'applyChunk', chunk), (error: unknown) => error instanceof ConflictError);
});
