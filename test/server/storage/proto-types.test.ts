// The blob types (src-main/server/storage/proto-types.ts) derive from
// proto/anki-proto.d.ts, which protobufjs-cli generates from proto/*.proto. A
// .proto edited without regenerating it fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/fixture-paths.js';

test('proto/anki-proto.d.ts is what pbjs and pbts make of proto/*.proto', () => {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'gen-proto-types.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
