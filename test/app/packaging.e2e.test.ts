// Packs app.asar offline with electron-builder and this repository's
// electron-builder.yml: a stand-in executable replaces Electron's binary (which
// cannot be downloaded here); it carries Electron's fuse wire, in the state a
// fresh Electron 41 has it, so electron-builder flips our fuses in it exactly as
// in the real one. Proves the config parses, every native module is unpacked
// from the asar, no test, bench, TypeScript source or source map ships, the
// fuses are set, nothing is rebuilt, and the Windows installer includes the
// firewall rule and its removal. About 5 s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(join(root, 'package.json'));
// @electron/asar comes with electron-builder; it reads the archive's header.
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, file: string): { unpacked?: boolean; files?: unknown };
};

// @electron/fuses comes with electron-builder too.
const fuses = require('@electron/fuses') as {
  getCurrentFuseWire(path: string): Promise<Record<string, unknown>>;
  FuseV1Options: Record<string, number>;
};
const yaml = require('js-yaml') as { load(text: string): unknown };

/** Electron's fuse sentinel, wire version 1, and its eight fuses as Electron ships them ('0'/'1'). */
function freshFuseWire(): Buffer {
  const shipped = '10110001'; // RunAsNode on, cookies off, NODE_OPTIONS on, inspect on, asar checks off, …, file: privileges on
  return Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, shipped.length]), Buffer.from(shipped)]);
}

const NATIVE_FILES = [
  // better-sqlite3 13 and argon2 ship N-API prebuilds; zstd-napi is compiled on install.
  `node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`,
  `node_modules/argon2/prebuilds/${process.platform}-${process.arch}/argon2.glibc.node`,
  'node_modules/zstd-napi/build/Release/binding.node',
  `native/build/Release/${process.platform === 'darwin' ? 'unicase.dylib' : process.platform === 'win32' ? 'unicase.dll' : 'unicase.so'}`,
];

test(
  'electron-builder packs app.asar offline: natives unpacked, no tests, benches or maps, fuses flipped',
  { timeout: 120_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'ahs-pack-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    const stub = join(work, 'electron-dist');
    const stubExe = join(stub, 'electron');
    mkdirSync(stub);
    writeFileSync(stubExe, Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n# '), freshFuseWire(), Buffer.from('\n')]));
    chmodSync(stubExe, 0o755);
    const out = join(work, 'release');

    const result = spawnSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        'dir',
        '--config',
        'electron-builder.yml',
        `-c.electronDist=${stub}`,
        '-c.electronVersion=41.7.1',
        `-c.directories.output=${out}`,
      ],
      // JITI_FS_CACHE: electron-builder's config loader (jiti) would otherwise leave <tmpdir>/jiti behind.
      { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', JITI_FS_CACHE: 'false' } },
    );
    assert.equal(result.status, 0, `electron-builder failed:\n${result.stdout}\n${result.stderr}`);

    const resources = join(out, 'linux-unpacked', 'resources');
    const archive = join(resources, 'app.asar');
    const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/\\/g, '/').replace(/^\//, ''));

    for (const must of [
      'package.json',
      'dist/src-main/app/main.js',
      'dist/src-main/preload.cjs',
      'dist/src-renderer/index.html',
      'dist/src-renderer/main.js',
      'assets/tray-running.png',
      'assets/icon.png',
      'proto/notetypes.proto',
      'proto/decks.proto',
      'proto/deck_config.proto',
    ]) {
      assert.ok(files.includes(must), `${must} is packed`);
    }
    for (const native of NATIVE_FILES) {
      assert.ok(files.includes(native), `${native} is listed`);
      assert.equal(asar.statFile(archive, native).unpacked, true, `${native} is marked unpacked`);
      assert.ok(existsSync(join(resources, 'app.asar.unpacked', native)), `${native} exists outside the asar`);
    }
    // Whatever else is native must be loadable too: nothing native stays packed.
    for (const file of files.filter((f) => /\.(node|so|dylib|dll)$/.test(f))) {
      assert.equal(asar.statFile(archive, file).unpacked, true, `${file} is unpacked`);
    }
    // One node_modules serves Node and Electron only if every addon is N-API: a
    // V8-ABI addon (node_register_module_v<ABI>) loads in one runtime and not the other.
    const addons = files.filter((f) => f.endsWith('.node'));
    assert.ok(addons.length >= 3, `the addons are shipped: ${addons.join(', ')}`);
    for (const addon of addons) {
      const bytes = readFileSync(join(resources, 'app.asar.unpacked', addon));
      assert.equal(bytes.includes('node_register_module_v'), false, `${addon} is a V8-ABI addon`);
      assert.ok(bytes.includes('napi_register_module_v1'), `${addon} exports napi_register_module_v1`);
    }

    const forbidden = files.filter(
      (f) =>
        /\.map$/.test(f) ||
        /(^|\/)(test|tests|__tests__|bench|benchmark|benchmarks)\//.test(f) ||
        f.startsWith('dist/test/') ||
        f.startsWith('dist/bench/') ||
        (/\.ts$/.test(f) && !f.startsWith('node_modules/')) ||
        f.startsWith('src-main/') ||
        f.startsWith('src-renderer/'),
    );
    assert.deepEqual(forbidden, [], 'nothing from tests, benches, sources or source maps ships');

    // The fuses, as flipped in the packaged executable.
    const wire = await fuses.getCurrentFuseWire(join(out, 'linux-unpacked', 'anki-home-sync'));
    const state = (name: string): string => String.fromCharCode(wire[String(fuses.FuseV1Options[name])] as number);
    assert.equal(state('RunAsNode'), '0', 'cannot run as plain Node');
    assert.equal(state('EnableNodeOptionsEnvironmentVariable'), '0', 'ignores NODE_OPTIONS');
    assert.equal(state('EnableNodeCliInspectArguments'), '0', 'no --inspect');
    assert.equal(state('EnableEmbeddedAsarIntegrityValidation'), '1', 'asar integrity is checked');
    assert.equal(state('OnlyLoadAppFromAsar'), '1', 'loads only app.asar');
    assert.equal(state('GrantFileProtocolExtraPrivileges'), '0');
  },
);

test('electron-builder.yml: nothing is rebuilt, and the Windows installer opens and closes the firewall on private networks', () => {
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
  assert.equal(config['npmRebuild'], false, 'one node_modules serves Node and Electron');
  assert.deepEqual(config['publish'], { provider: 'github', owner: 'anki-home-sync', repo: 'anki-home-sync', releaseType: 'release' });
  const include = config['nsis']?.['include'];
  assert.equal(include, 'assets/installer.nsh');
  const nsh = readFileSync(join(root, String(include)), 'utf8');
  const macro = (name: string): string => {
    const match = new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(nsh);
    assert.ok(match, `${name} is defined`);
    return match[1]!;
  };
  assert.match(macro('customInstall'), /firewall add rule name="Anki Home Sync" dir=in action=allow protocol=TCP profile=private/);
  assert.match(macro('customInstall'), /program="\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}"/);
  assert.match(macro('customUnInstall'), /firewall delete rule name="Anki Home Sync"/);
  // electron-updater installs from a zip on macOS.
  assert.deepEqual(config['mac']?.['target'], ['dmg', 'zip']);
});
