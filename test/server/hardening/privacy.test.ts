// Issue 10, item 11: on a family computer other accounts cannot read anyone's
// collection: what the server creates is 0700 (folders) and 0600 (files); an
// existing SYNC_BASE keeps its mode, and the log says others can read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SyncServer } from '../../../src-main/server/server.js';
import type { Logger } from '../../../src-main/server/report/log.js';
import { plainUser } from '../../support/test-server.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { V11Client } from '../../support/v11-client.js';

const mode = (path: string): number => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';

test(
  'a new SYNC_BASE, user folders, collection and media.db are private to the owner',
  { skip: !posix && 'POSIX modes only' },
  async () => {
    const base = join(makeTempFolder('ahs-privacy-'), 'sync-base');
    const server = new SyncServer(
      { host: '127.0.0.1', port: 0, baseFolder: base, maxPayloadMegs: 10, users: [plainUser('alice', 'pw')] },
      {
        logger: { info() {}, warn() {}, error() {} },
      },
    );
    const { port } = await server.start();
    try {
      const client = new V11Client(`http://127.0.0.1:${port}/`);
      await client.login('alice', 'pw');
      await client.meta();
      assert.equal(mode(base), 0o700);
      assert.equal(mode(join(base, 'alice')), 0o700);
      assert.equal(mode(join(base, 'alice', 'media')), 0o700);
      assert.equal(mode(join(base, 'alice', 'media.db')), 0o600);
      assert.equal(mode(join(base, 'alice', 'collection.anki2')), 0o600);
    } finally {
      await server.stop();
    }
  },
);

test('an existing SYNC_BASE that others can read keeps its mode, and the log says so', { skip: !posix && 'POSIX modes only' }, async () => {
  const base = join(makeTempFolder('ahs-privacy-'), 'shared');
  mkdirSync(base);
  chmodSync(base, 0o755);
  const warnings: string[] = [];
  const logger: Logger = { info() {}, error() {}, warn: (message, fields) => warnings.push(`${message} ${String(fields?.mode)}`) };
  const server = new SyncServer(
    { host: '127.0.0.1', port: 0, baseFolder: base, maxPayloadMegs: 10, users: [plainUser('alice', 'pw')] },
    { logger },
  );
  await server.start();
  await server.stop();
  assert.equal(mode(base), 0o755);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /other accounts .* 0755/);
});
