// Issue 23, item 4: the server folder reads at a glance. Its root keeps what every
// part shares (the door, the server, the Users and the User, the method table,
// the protocol contract, errors, JSON, value parsers); each concern has a folder.
// A new loose file at the root is the start of the pile this replaced (21 files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

const SERVER = join(REPO_ROOT, 'src-main', 'server');
const ROOT_LIMIT = 10;

test(`the server folder's root holds at most ${ROOT_LIMIT} source files`, () => {
  const loose = readdirSync(SERVER, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => entry.name)
    .sort();
  assert.ok(
    loose.length <= ROOT_LIMIT,
    `${loose.length} files at src-main/server/: ${loose.join(', ')}; put the new one in its concern's folder`,
  );
});

test('each concern the issue names has its folder', () => {
  for (const folder of ['config', 'reach', 'report', 'http', 'envelope', 'storage/schema']) {
    assert.ok(readdirSync(join(SERVER, folder)).length > 0, `src-main/server/${folder}/`);
  }
});
