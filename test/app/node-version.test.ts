// Headless on an older Node: `npx anki-home-sync` on Debian 12's own Node 20
// died with a segmentation fault and no word (better-sqlite3 13 needs Node 22;
// npm only warns about `engines`). The command now checks the version before
// any native module loads and says in one sentence what to install, exit 1;
// `npm start` and `npm run serve` run the same check first. Run here with a
// real older Node: /usr/bin/node (Debian's), or OLD_NODE.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { makeTempFolder } from '../support/temp-folder.js';

const MESSAGE =
  /^(\S.*) needs Node\.js 22 or newer, and this is Node\.js (\d+\.\d+\.\d+): install Node\.js 24 LTS from https:\/\/nodejs\.org\/ \(or your package manager's nodejs, version 22 or newer\) and run it again\.\n$/;

/** A Node older than 22 on this machine, or why there is none. */
function olderNode(): { path: string; version: string } | { missing: string } {
  for (const path of [process.env['OLD_NODE'], '/usr/bin/node'].filter((p): p is string => p !== undefined && p !== '')) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
    if (Number(version.split('.')[0]) < 22) return { path, version };
  }
  return { missing: 'no Node.js older than 22 here (set OLD_NODE, or apt-get install nodejs on Debian 12)' };
}

const old = olderNode();
const skip = 'missing' in old ? old.missing : false;

test('npx anki-home-sync on an older Node: one sentence saying what to install, exit 1, and no crash', { skip }, (t) => {
  if ('missing' in old) return;
  const base = makeTempFolder('ahs-oldnode-');
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const run = spawnSync(old.path, [join(REPO_ROOT, 'bin', 'anki-home-sync.js')], {
    encoding: 'utf8',
    env: { ...process.env, SYNC_USER1: 'alice:secret', SYNC_BASE: base, SYNC_HOST: '127.0.0.1', SYNC_PORT: '0' },
    timeout: 30_000,
  });
  assert.equal(run.signal, null, `ended by ${run.signal} (a segmentation fault is SIGSEGV)`);
  assert.equal(run.status, 1);
  const match = MESSAGE.exec(run.stderr);
  assert.ok(match, `one sentence: ${JSON.stringify(run.stderr)}`);
  assert.equal(match[1], 'anki-home-sync');
  assert.equal(match[2], old.version);
  assert.equal(run.stdout, '');
});

test('npm start and npm run serve check first, with the same sentence', { skip }, () => {
  if ('missing' in old) return;
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const [name, what] of [
    ['start', 'npm start'],
    ['serve', 'npm run serve'],
  ] as const) {
    assert.ok(scripts[name]!.startsWith(`node bin/node-version.js "${what}" && `), `${name}: ${scripts[name]}`);
    const run: SpawnSyncReturns<string> = spawnSync(old.path, [join(REPO_ROOT, 'bin', 'node-version.js'), what], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(MESSAGE.exec(run.stderr)?.[1], what);
  }
});

test("the check lets this Node through, and its minimum is package.json's engines", () => {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'node-version.js'), 'npm start'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  assert.equal(engines, '>=22');
  assert.match(readFileSync(join(REPO_ROOT, 'bin', 'node-version.js'), 'utf8'), /export const MINIMUM_NODE_MAJOR = 22;/);
});
