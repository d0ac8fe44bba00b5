// Packs app.asar offline with electron-builder and this repository's
// electron-builder.yml: a stand-in executable replaces Electron's binary (which
// cannot be downloaded here); it carries Electron's fuse wire, in the state a
// fresh Electron 41 has it, so electron-builder flips our fuses in it exactly as
// in the real one. Proves the config parses, every native module is unpacked
// from the asar, no test, bench, TypeScript source or source map ships, the
// fuses are set, nothing is rebuilt, no other system's natives ship, every
// installer's file name is free of spaces, and the Windows installer includes
// the firewall rule and its removal, skipped on updates. About 10 s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempFolder } from '../support/temp-folder.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(join(root, 'package.json'));
// @electron/asar comes with electron-builder; it reads the archive's header.
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, file: string): { unpacked?: boolean; files?: unknown };
  extractFile(archive: string, file: string): Buffer;
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

const PLATFORM_ARCH = `${process.platform}-${process.arch}`;
/**
 * The natives this system loads. better-sqlite3 13 and argon2 ship N-API prebuilds; zstd-napi is
 * compiled on install. argon2's file name says the libc and, on ARM, the CPU
 * (argon2.glibc.node on x64, argon2.armv8.glibc.node on an arm64 Mac): matched by pattern.
 */
const NATIVE_FILES: readonly (string | RegExp)[] = [
  `node_modules/better-sqlite3/prebuilds/${PLATFORM_ARCH}.node`,
  new RegExp(`^node_modules/argon2/prebuilds/${PLATFORM_ARCH}/argon2(\\.armv[0-9]+)?\\.glibc\\.node$`),
  'node_modules/zstd-napi/build/Release/binding.node',
  `native/build/Release/${process.platform === 'darwin' ? 'unicase.dylib' : process.platform === 'win32' ? 'unicase.dll' : 'unicase.so'}`,
];

test(
  'electron-builder packs app.asar offline: natives unpacked, no tests, benches or maps, fuses flipped',
  { timeout: 120_000 },
  async (t) => {
    const work = makeTempFolder('ahs-pack-');
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
      'assets/tray-runningTemplate.png',
      'assets/tray-runningTemplate@2x.png',
      'assets/tray-running.ico',
      'assets/icon.png',
      'proto/notetypes.proto',
      'proto/decks.proto',
      'proto/deck_config.proto',
    ]) {
      assert.ok(files.includes(must), `${must} is packed`);
    }
    for (const wanted of NATIVE_FILES) {
      const native = typeof wanted === 'string' ? wanted : files.find((f) => wanted.test(f));
      assert.ok(native !== undefined && files.includes(native), `${String(wanted)} is listed`);
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
    // Only this system's: no other platform's prebuilds, no musl, no build leftovers.
    assert.deepEqual(
      addons.sort(),
      files.filter((f) => f.endsWith('.node') && NATIVE_FILES.some((w) => (typeof w === 'string' ? w === f : w.test(f)))).sort(),
      `nothing native for other systems ships: ${addons.join(', ')}`,
    );
    const leftovers = files.filter(
      (f) =>
        (f.startsWith('node_modules/better-sqlite3/prebuilds/') && f !== `node_modules/better-sqlite3/prebuilds/${PLATFORM_ARCH}.node`) ||
        (/^node_modules\/argon2\/prebuilds\/[^/]+\/./.test(f) && !f.startsWith(`node_modules/argon2/prebuilds/${PLATFORM_ARCH}/`)) ||
        f.endsWith('.musl.node') ||
        (f.startsWith('node_modules/zstd-napi/build/') &&
          f !== 'node_modules/zstd-napi/build/Release' &&
          f !== 'node_modules/zstd-napi/build/Release/binding.node') ||
        f.includes('node-addon-api/'),
    );
    assert.deepEqual(leftovers, [], "no other system's natives, musl builds or compiler leftovers ship");
    const unpacked = readdirSync(join(resources, 'app.asar.unpacked'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
    assert.ok(unpacked < 8 * 1024 * 1024, `app.asar.unpacked holds ${(unpacked / 1024 / 1024).toFixed(1)} MB (17 MB of prebuilds before)`);
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

    // Electron names the app (the menu, notices, and the user-data folder README.md points to) by productName.
    const packed = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { productName?: string };
    assert.equal(packed.productName, 'Anki Home Sync');

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

// app-builder-lib's modules, loaded in this process below, load electron-builder's config loader (jiti),
// which would otherwise leave a cache in <tmpdir>/jiti.
process.env['JITI_FS_CACHE'] = 'false';

function builderConfig(): Record<string, Record<string, unknown>> {
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
}

test('electron-builder.yml: nothing is rebuilt, updates come from GitHub, and the Windows installer opens and closes the firewall', () => {
  const config = builderConfig();
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

test('the firewall macros do nothing on a silent update (${isUpdated}), which would otherwise ask for administrator rights each time', () => {
  const nsh = readFileSync(join(root, 'assets', 'installer.nsh'), 'utf8');
  for (const name of ['customInstall', 'customUnInstall']) {
    const body = new RegExp(`!macro ${name}\\n([\\s\\S]*?)!macroend`).exec(nsh)![1]!;
    // Every netsh and runas line sits between ${IfNot} ${isUpdated} and its ${EndIf}.
    const lines = body.split('\n').map((line) => line.trim());
    const open = lines.indexOf('${IfNot} ${isUpdated}');
    assert.ok(open >= 0, `${name} is guarded by \${IfNot} \${isUpdated}`);
    const close = lines.lastIndexOf('${EndIf}');
    lines.forEach((line, i) => {
      if (/netsh|ExecShellWait/.test(line)) assert.ok(i > open && i < close, `${name}: "${line}" runs on updates`);
    });
  }
});

test('every installer file name is free of spaces, so latest*.yml names what GitHub stores', () => {
  const config = builderConfig();
  // electron-builder's own macro expansion, with this package's name, product name and version.
  const { expandMacro } = require('app-builder-lib/out/util/macroExpander') as {
    expandMacro: (pattern: string, arch: string | null, appInfo: Record<string, unknown>, extra: Record<string, string>) => string;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const appInfo = { name: pkg.name, version: pkg.version, productName: 'Anki Home Sync', sanitizedProductName: 'Anki Home Sync' };
  const targets: [string, unknown, string, string, string][] = [
    ['nsis', config['nsis']?.['artifactName'], 'x64', 'win', 'exe'],
    ['dmg', config['dmg']?.['artifactName'], 'arm64', 'mac', 'dmg'],
    ['zip (mac)', config['mac']?.['artifactName'], 'arm64', 'mac', 'zip'],
    ['AppImage', config['appImage']?.['artifactName'], 'x86_64', 'linux', 'AppImage'],
    ['deb', config['deb']?.['artifactName'], 'amd64', 'linux', 'deb'],
    ['any other', config['artifactName'], 'x64', 'linux', 'tar.gz'],
  ];
  const names = targets.map(([target, pattern, arch, os, ext]) => {
    assert.equal(typeof pattern, 'string', `${target} has an artifactName`);
    assert.doesNotMatch(String(pattern), /productName/, `${target}: the product name has spaces`);
    const name = expandMacro(String(pattern), arch, appInfo, { os, ext });
    assert.match(name, /^[A-Za-z0-9._-]+$/, `${target}: "${name}" is stored by GitHub under the same name`);
    assert.ok(name.includes(pkg.version), `${target}: "${name}" names the version`);
    return name;
  });
  assert.equal(new Set(names).size, names.length, `no two targets share a name: ${names.join(', ')}`);

  // README.md's "Get the app" names the downloads exactly as they are built, and the data folder by the product name.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [target, pattern, arch, os, ext] of targets.slice(0, 5)) {
    if (target === 'zip (mac)') continue; // the updater's, not a download
    const named = expandMacro(String(pattern), arch, { ...appInfo, version: '<version>' }, { os, ext });
    assert.ok(readme.includes(`\`${named}\``), `README.md names the ${target} download ${named}`);
  }
  const productName = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string }).productName;
  for (const folder of [`%APPDATA%\\${productName}\\`, `~/Library/Application Support/${productName}/`, `~/.config/${productName}/`]) {
    assert.ok(readme.includes(folder), `README.md says where the data lives: ${folder}`);
  }
  // And what to click the first time: an unsigned build meets SmartScreen on Windows and Gatekeeper on macOS.
  const getTheApp = /\n## Get the app\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  for (const [what, words] of [
    ['SmartScreen: More info, then Run anyway', /SmartScreen[\s\S]*\*\*More info\*\*, then \*\*Run anyway\*\*/],
    ['Gatekeeper: Privacy & Security, Open Anyway', /Privacy & Security[\s\S]*\*\*Open Anyway\*\*/],
    ['the deb with apt', /sudo apt install \.\/anki-home-sync_<version>_amd64\.deb/],
    ['the AppImage made executable', /chmod \+x/],
  ] as const) {
    assert.match(getTheApp, words, `README.md's "Get the app" says the first step: ${what}`);
  }
});

test('macOS is signed ad hoc unless the release signs for real, after the fuses are flipped', () => {
  const config = builderConfig();
  assert.equal(config['mac']?.['identity'], '-', 'ad hoc: every build launches on an arm64 Mac');
  assert.equal(config['electronFuses']?.['resetAdHocDarwinSignature'], true);
  assert.notEqual(config['mac']?.['hardenedRuntime'], false, 'notarization needs the hardened runtime');
});

test('the AppImage has the static runtime (no libfuse.so.2) and a launcher that keeps the sandbox where it can', () => {
  const config = builderConfig();
  assert.equal(config['toolsets']?.['appimage'], '1.0.3');
  // The launcher electron-builder writes into the static-runtime AppImage: it starts Electron with
  // --no-sandbox only when `unshare -Ur true` fails (no user namespaces, as on Ubuntu 24.04+).
  const { generateAppRunScript } = require('app-builder-lib/out/targets/appimage/appImageUtil') as {
    generateAppRunScript: (config: Record<string, string>) => string;
  };
  const appRun = generateAppRunScript({
    DesktopFileName: 'anki-home-sync.desktop',
    ExecutableName: 'anki-home-sync',
    ProductName: 'Anki Home Sync',
    ProductFilename: 'Anki Home Sync',
    ResourceName: 'appimagekit-anki-home-sync',
  });
  assert.match(appRun, /if \[ \$HAVE_NO_SANDBOX -eq 0 \] && ! unshare -Ur true 2>\/dev\/null ; then\n\s+NO_SANDBOX=\(--no-sandbox\)/);
  assert.match(appRun, /exec "\$BIN" "\$\{NO_SANDBOX\[@\]\}"/);
  assert.ok(existsSync(join(root, 'docs', 'linux-sandbox.md')), 'the sandbox strategy is written down');
});
