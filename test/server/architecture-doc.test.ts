// docs/architecture.md walks one applyChunk request through the files that
// carry it. Issue 12 set the bar at twelve; the table must name files that
// exist, so the walk cannot silently go stale as files move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

test("the architecture's applyChunk walk names at most twelve files, each of which exists", () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## One request, socket to SQLite'), doc.indexOf('## Every folder'));
  const files = [...section.matchAll(/^\| \d+ \| `([^`]+)` \|/gm)].map((match) => match[1]!);
  assert.ok(files.length >= 5, `the table is found (${files.length} rows)`);
  assert.ok(files.length <= 12, `${files.length} files on the path`);
  for (const file of files) assert.ok(existsSync(join(REPO_ROOT, 'src-main', file)), `${file} exists`);
});
