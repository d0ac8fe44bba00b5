// The headless npm package (`npx anki-home-sync`, `npm install -g`) as npm packs
// it: the built server, bin/, the protos and the collation's sources ship;
// tests, benches, TypeScript sources and maps do not. The packed files, on
// their own (with this repository's node_modules and compiled collation
// beside them, as an install would build them), start a server that logs a
// device in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempFolder } from '../support/temp-folder.js';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { V11Client } from '../support/v11-client.js';

function npm(args: string[], cwd: string): string {
  // Under `npm test`, the npm that runs the tests; otherwise the one on PATH.
  const npmCli = process.env['npm_execpath'];
  const result =
    npmCli !== undefined && npmCli.endsWith('.js')
      ? spawnSync(process.execPath, [npmCli, ...args], { cwd, encoding: 'utf8' })
      : spawnSync('npm', args, { cwd, encoding: 'utf8', shell: process.platform === 'win32' });
  assert.equal(result.status, 0, `npm ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test('npm pack ships the server, bin, protos and collation sources, and nothing else', { timeout: 60_000 }, () => {
  const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], REPO_ROOT)) as [{ files: { path: string }[] }];
  const files = packed.files.map((f) => f.path.replace(/\\/g, '/'));
  for (const must of [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/anki-home-sync.js',
    'dist/src-main/cli.js',
    'dist/src-main/server/index.js',
    'proto/notetypes.proto',
    'native/binding.gyp',
    'native/unicase.c',
    'native/unicase_table.h',
  ]) {
    assert.ok(files.includes(must), `${must} ships`);
  }
  const forbidden = files.filter(
    (f) =>
      f.endsWith('.map') ||
      f.endsWith('.ts') ||
      f.startsWith('dist/test/') ||
      f.startsWith('dist/bench/') ||
      f.startsWith('test/') ||
      f.startsWith('bench/') ||
      f.startsWith('src-main/') ||
      f.startsWith('src-renderer/') ||
      f.startsWith('native/build/') ||
      f.startsWith('.github/'),
  );
  assert.deepEqual(forbidden, []);
});

test('the packed files alone start a server that logs a device in', { timeout: 90_000 }, async (t) => {
  const work = makeTempFolder('ahs-npm-pack-');
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const out = npm(['pack', '--ignore-scripts', '--pack-destination', work, '--json'], REPO_ROOT);
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', join(work, filename), '-C', unpacked, '--strip-components=1'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  // What `npm install` adds: the dependencies, and the collation compiled by the install script.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(unpacked, 'node_modules'), 'junction');
  symlinkSync(join(REPO_ROOT, 'native', 'build'), join(unpacked, 'native', 'build'), 'junction');

  const base = join(work, 'base');
  const child = spawn(process.execPath, [join(unpacked, 'bin', 'anki-home-sync.js')], {
    env: { PATH: process.env['PATH'] ?? '', SYNC_USER1: 'alice:pw', SYNC_HOST: '127.0.0.1', SYNC_PORT: '0', SYNC_BASE: base },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let port = 0;
  for (let i = 0; i < 300 && port === 0; i++) {
    const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
    if (match) port = Number(match[1]);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(port > 0, `the packed server listens:\n${output}`);
  const client = new V11Client(`http://127.0.0.1:${port}/`);
  assert.match(await client.login('alice', 'pw'), /^[0-9a-f]{40}$/);
  assert.equal((await client.meta()).empty, true);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
