// The release workflow's own checks, run here against fabricated and real
// inputs: they must pass a right release and fail each way it can be wrong.
// What they check on GitHub's machines (the real installers, uploads and
// updates) is listed in CONTRIBUTING.md.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';
import { makeTempFolder } from '../support/temp-folder.js';
import { createTestApp } from '../support/controller-harness.js';
import { releaseProblems } from './release-files.js';
import { packageVersion, tagVersionProblem } from './tag-version.js';
import { mergeUpdateInfo, type UpdateInfo } from './update-info.js';
import { macSigning, SIGNING_SECRETS } from './mac-signing.js';
import { olderBuildConfig, olderVersion, serveReleaseFolder } from './update-proof.js';
import { appDirProblems, debProblems, elfInterpreter } from './linux-packages.js';
import { fullSyncRoundTrip } from './full-sync-check.js';
import { dumpYaml } from './yaml.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const COMPILED = join(REPO_ROOT, 'dist', 'test', 'release');

function temp(t: TestContext, prefix: string): string {
  const folder = makeTempFolder(prefix);
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

function script(name: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(COMPILED, name), ...args], { encoding: 'utf8', env: { ...process.env, JITI_FS_CACHE: 'false' } });
}

const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// ---- the tag ----------------------------------------------------------

test('a tag that is not package.json\'s version fails the release, in one sentence', () => {
  const version = packageVersion();
  assert.equal(tagVersionProblem(`v${version}`, version), null);
  assert.match(tagVersionProblem('v9.9.9', '0.1.0') ?? '', /^the tag v9\.9\.9 is not package\.json's version 0\.1\.0: set "version" to 9\.9\.9/);
  assert.match(tagVersionProblem('release-1', '0.1.0') ?? '', /is not v<major>\.<minor>\.<patch>/);
  const wrong = script('tag-version.js', ['v999.0.0']);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /✖ the tag v999\.0\.0 is not package\.json's version/);
  const right = script('tag-version.js', [`v${version}`]);
  assert.equal(right.status, 0, right.stderr);
});

// ---- the release folder -----------------------------------------------

/** A release folder as the publish job has it: installers, blockmaps, latest*.yml, SHA256SUMS.txt. */
function fabricateRelease(t: TestContext, names: { nsis: string; dmg: string; zip: string; appImage: string; deb: string }): string {
  const folder = temp(t, 'ahs-release-');
  const write = (name: string): Buffer => {
    const data = randomBytes(4096 + Math.floor(Math.random() * 4096));
    writeFileSync(join(folder, name), data);
    writeFileSync(join(folder, `${name}.blockmap`), randomBytes(64));
    return data;
  };
  const entry = (name: string) => {
    const data = write(name);
    return { url: name, sha512: sha512(data), size: data.length };
  };
  const info = (files: ReturnType<typeof entry>[]) =>
    dumpYaml({ version: '0.1.0', files, path: files[0]!.url, sha512: files[0]!.sha512, releaseDate: '2026-09-01T00:00:00.000Z' });
  writeFileSync(join(folder, 'latest.yml'), info([entry(names.nsis)]));
  const zip = entry(names.zip);
  const dmg = entry(names.dmg);
  writeFileSync(join(folder, 'latest-mac.yml'), info([zip, dmg]));
  writeFileSync(join(folder, 'latest-linux.yml'), info([entry(names.appImage), entry(names.deb)]));
  const installers = Object.values(names).sort();
  writeFileSync(join(folder, 'SHA256SUMS.txt'), installers.map((name) => `${sha256(readFileSync(join(folder, name)))}  ${name}\n`).join(''));
  return folder;
}

const GOOD_NAMES = {
  nsis: 'anki-home-sync-0.1.0-setup-x64.exe',
  dmg: 'anki-home-sync-0.1.0-mac-arm64.dmg',
  zip: 'anki-home-sync-0.1.0-mac-arm64.zip',
  appImage: 'anki-home-sync-0.1.0-x86_64.AppImage',
  deb: 'anki-home-sync_0.1.0_amd64.deb',
};

test('a right release passes, before and after upload', async (t) => {
  const folder = fabricateRelease(t, GOOD_NAMES);
  assert.deepEqual(await releaseProblems(folder), []);
  const uploaded = namesIn(folder);
  assert.deepEqual(await releaseProblems(folder, { uploaded }), []);
  const namesFile = join(temp(t, 'ahs-assets-'), 'assets.txt');
  writeFileSync(namesFile, `${uploaded.join('\n')}\n`);
  const run = script('release-files.js', [folder, '--uploaded', namesFile]);
  assert.equal(run.status, 0, run.stderr);
});

function namesIn(folder: string): string[] {
  return readdirSync(folder).sort();
}

test('the names electron-builder used to make (spaces) fail: GitHub stores them with dots, and updates 404', async (t) => {
  const folder = fabricateRelease(t, { ...GOOD_NAMES, nsis: 'Anki Home Sync Setup 0.1.0.exe' });
  const problems = await releaseProblems(folder);
  assert.ok(problems.some((p) => p.startsWith('"Anki Home Sync Setup 0.1.0.exe" has a character GitHub would change')), problems.join('\n'));
  // What GitHub stored: the spaces turned into dots.
  const uploaded = namesIn(folder).map((name) => name.replace(/ /g, '.'));
  const after = await releaseProblems(folder, { uploaded });
  assert.ok(
    after.includes('latest.yml names Anki Home Sync Setup 0.1.0.exe, but GitHub stored no asset of that name: updates would get 404'),
    after.join('\n'),
  );
  const namesFile = join(temp(t, 'ahs-assets-'), 'assets.txt');
  writeFileSync(namesFile, uploaded.join('\n'));
  const run = script('release-files.js', [folder, '--uploaded', namesFile]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /✖ latest\.yml names Anki Home Sync Setup 0\.1\.0\.exe, but GitHub stored no asset of that name/);
});

test('a latest*.yml naming a file that is not there, or with the wrong hash or size, fails', async (t) => {
  const folder = fabricateRelease(t, GOOD_NAMES);
  renameSync(join(folder, GOOD_NAMES.deb), join(folder, 'anki-home-sync_0.1.0_x64.deb'));
  writeFileSync(join(folder, GOOD_NAMES.zip), randomBytes(100));
  const problems = await releaseProblems(folder);
  assert.ok(problems.includes(`latest-linux.yml names ${GOOD_NAMES.deb}, which is not in the release`), problems.join('\n'));
  assert.ok(problems.includes(`latest-mac.yml: ${GOOD_NAMES.zip} does not match its sha512`), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith(`latest-mac.yml: ${GOOD_NAMES.zip} is 100 bytes`)), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('SHA256SUMS.txt names')), 'the checksums no longer name the installers');
});

test('SHA256SUMS.txt must name exactly the installers, with their hashes', async (t) => {
  const missing = fabricateRelease(t, GOOD_NAMES);
  const sums = readFileSync(join(missing, 'SHA256SUMS.txt'), 'utf8').split('\n');
  writeFileSync(join(missing, 'SHA256SUMS.txt'), sums.filter((line) => !line.endsWith('.deb')).join('\n'));
  assert.ok((await releaseProblems(missing)).some((p) => p.startsWith('SHA256SUMS.txt names') && p.includes('the installers are')));

  const wrong = fabricateRelease(t, GOOD_NAMES);
  writeFileSync(join(wrong, GOOD_NAMES.dmg), randomBytes(10));
  assert.ok((await releaseProblems(wrong)).includes(`SHA256SUMS.txt: ${GOOD_NAMES.dmg} does not match`));

  const none = fabricateRelease(t, GOOD_NAMES);
  rmSync(join(none, 'SHA256SUMS.txt'));
  assert.ok((await releaseProblems(none)).includes('no SHA256SUMS.txt'));
});

test('an asset GitHub did not store under its own name fails', async (t) => {
  const folder = fabricateRelease(t, GOOD_NAMES);
  const uploaded = namesIn(folder).filter((name) => name !== `${GOOD_NAMES.appImage}.blockmap`);
  assert.deepEqual(await releaseProblems(folder, { uploaded }), [`${GOOD_NAMES.appImage}.blockmap was not stored under its own name on GitHub`]);
});

// ---- latest-linux.yml from two runs ------------------------------------

test('the AppImage\'s and the deb\'s latest-linux.yml merge into one that lists both, AppImage first', () => {
  const appImage: UpdateInfo = {
    version: '0.1.0',
    files: [{ url: GOOD_NAMES.appImage, sha512: 'a', size: 1 }],
    path: GOOD_NAMES.appImage,
    sha512: 'a',
    releaseDate: '2026-09-01T10:00:00.000Z',
  };
  const deb: UpdateInfo = { version: '0.1.0', files: [{ url: GOOD_NAMES.deb, sha512: 'd', size: 2 }], path: GOOD_NAMES.deb, sha512: 'd', releaseDate: '2026-09-01T10:05:00.000Z' };
  const merged = mergeUpdateInfo(appImage, deb);
  assert.deepEqual(
    merged.files.map((f) => f.url),
    [GOOD_NAMES.appImage, GOOD_NAMES.deb],
  );
  assert.equal(merged.path, GOOD_NAMES.appImage);
  assert.equal(merged.sha512, 'a');
  assert.equal(merged.releaseDate, '2026-09-01T10:05:00.000Z');
  assert.deepEqual(mergeUpdateInfo(merged, deb).files, merged.files, 'merging twice adds nothing');
  assert.throws(() => mergeUpdateInfo(appImage, { ...deb, version: '0.1.1' }), /cannot merge version 0\.1\.0 with 0\.1\.1/);
});

// ---- macOS signing -----------------------------------------------------

test('macOS signing: none of the secrets signs ad hoc; all five sign and notarize; some is a mistake', (t) => {
  const folder = temp(t, 'ahs-keys-');
  assert.deepEqual(macSigning({}, folder), { signed: false, args: [], env: { MAC_SIGNED: 'false' } });
  const all = Object.fromEntries(SIGNING_SECRETS.map((name) => [name, name === 'APPLE_API_KEY' ? '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n' : `${name}-value`]));
  const signed = macSigning(all, folder);
  assert.equal(signed.signed, true);
  assert.deepEqual(signed.args, ['-c.mac.identity=', '-c.forceCodeSigning=true']);
  const keyFile = signed.env['APPLE_API_KEY']!;
  assert.equal(keyFile, join(folder, 'AuthKey_APPLE_API_KEY_ID-value.p8'));
  assert.equal(readFileSync(keyFile, 'utf8'), '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
  if (process.platform !== 'win32') assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.throws(() => macSigning({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y' }, folder), /has CSC_LINK, CSC_KEY_PASSWORD but not APPLE_API_KEY, APPLE_API_KEY_ID, APPLE_API_ISSUER/);
});

/** The configuration electron-builder would build with, given these command-line arguments (its own parsing and loading). */
async function effectiveConfig(args: readonly string[]): Promise<Record<string, Record<string, unknown>>> {
  process.env['JITI_FS_CACHE'] = 'false';
  const yargs = require('yargs') as (argv: readonly string[]) => unknown;
  const builder = require('electron-builder/out/builder') as {
    configureBuildCommand: (y: unknown) => { parse: () => Record<string, unknown> };
    normalizeOptions: (args: Record<string, unknown>) => { config?: unknown };
  };
  const { getConfig } = require('app-builder-lib/out/util/config/config') as {
    getConfig: (projectDir: string, configPath: string | null, configFromOptions: unknown) => Promise<Record<string, Record<string, unknown>>>;
  };
  const options = builder.normalizeOptions(builder.configureBuildCommand(yargs(args)).parse());
  return getConfig(REPO_ROOT, null, options.config);
}

test('what those arguments do to electron-builder.yml: ad hoc ("-") by default, the Developer ID certificate when signing', async (t) => {
  const plain = await effectiveConfig(['--mac', 'dmg', 'zip', '--publish', 'never']);
  assert.equal(plain['mac']?.['identity'], '-');
  const signed = await effectiveConfig(['--mac', 'dmg', 'zip', '--publish', 'never', ...macSigning(Object.fromEntries(SIGNING_SECRETS.map((n) => [n, 'x'])), temp(t, 'ahs-keys-')).args]);
  // Empty: electron-builder then finds the identity in the keychain CSC_LINK is imported into.
  assert.equal(signed['mac']?.['identity'], '');
  assert.equal(JSON.stringify(signed['forceCodeSigning']), '"true"', 'as the command line gives it; the schema check makes it true');
});

// ---- the update proof ----------------------------------------------------

test('the update proof\'s older build: a lower version, updates from the local server only, a folder of its own', async (t) => {
  assert.equal(olderVersion('1.2.3'), '1.2.2');
  assert.equal(olderVersion('1.2.0'), '1.1.0');
  assert.equal(olderVersion('1.0.0'), '0.0.0');
  assert.equal(olderVersion('2.0.0-beta.1'), '1.0.0');
  assert.throws(() => olderVersion('0.0.0'), /no version below/);

  const file = join(temp(t, 'ahs-oldconfig-'), 'update-proof.yml');
  const run = script('update-proof.js', ['config', file]);
  assert.equal(run.status, 0, run.stderr);
  process.env['JITI_FS_CACHE'] = 'false';
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig: (projectDir: string, configPath: string | null, configFromOptions: unknown) => Promise<Record<string, unknown>>;
    validateConfiguration: (config: unknown, debugLogger: unknown) => Promise<void>;
  };
  const config = await getConfig(REPO_ROOT, file, null);
  assert.deepEqual(config['publish'], { provider: 'generic', url: 'http://127.0.0.1:47613/' });
  assert.deepEqual(config['extraMetadata'], { version: olderVersion(packageVersion()) });
  assert.equal((config['directories'] as Record<string, unknown>)['output'], 'release-old');
  assert.equal((config['mac'] as Record<string, unknown>)['identity'], '-', 'the rest is electron-builder.yml');
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(config, new DebugLogger(false));
  assert.deepEqual(olderBuildConfig()['publish'], config['publish']);
});

test('the update proof\'s server serves the release folder: whole files, byte ranges, nothing outside it', async (t) => {
  const folder = temp(t, 'ahs-serve-');
  const data = randomBytes(10_000);
  writeFileSync(join(folder, 'latest.yml'), 'version: 0.1.0\n');
  writeFileSync(join(folder, 'app.exe'), data);
  const server = await serveReleaseFolder(folder, 0);
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/`;
  assert.equal(await (await fetch(new URL('latest.yml', base))).text(), 'version: 0.1.0\n');
  const whole = Buffer.from(await (await fetch(new URL('app.exe', base))).arrayBuffer());
  assert.ok(whole.equals(data));
  const part = await fetch(new URL('app.exe', base), { headers: { range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 100-199/10000');
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(100, 200)));
  assert.equal((await fetch(new URL('missing.exe', base))).status, 404);
  assert.equal((await fetch(`${base}..%2F..%2Fetc%2Fpasswd`)).status, 404);
});

// ---- the Linux packages ----------------------------------------------------

test('an AppImage runtime with an ELF interpreter is told apart from a static one', { skip: process.platform !== 'linux' && 'ELF files are Linux\'s' }, () => {
  assert.match(elfInterpreter('/bin/ls') ?? '', /^\/lib.*\/ld-linux.*\.so\.\d$/, 'a dynamic program (as the old AppImage runtime is)');
  const statics = ['/sbin/ldconfig', '/usr/sbin/ldconfig'].filter((path) => existsSync(path));
  assert.ok(statics.length > 0, 'Debian\'s ldconfig is static');
  assert.equal(elfInterpreter(statics[0]!), null);
  assert.throws(() => elfInterpreter(join(REPO_ROOT, 'package.json')), /is not an ELF file/);
});

test('an AppImage holding package-type (packed beside the deb) fails; one without passes', (t) => {
  const appDir = temp(t, 'ahs-appdir-');
  mkdirSync(join(appDir, 'resources'));
  writeFileSync(join(appDir, 'resources', 'app.asar'), 'asar');
  writeFileSync(join(appDir, 'resources', 'app-update.yml'), 'provider: github\n');
  assert.deepEqual(appDirProblems(appDir), []);
  writeFileSync(join(appDir, 'resources', 'package-type'), 'deb');
  assert.deepEqual(appDirProblems(appDir), ['the AppImage holds resources/package-type ("deb"): its updates would install a deb']);
});

test('a deb must carry package-type "deb" and the AppArmor profile (a real deb, built by dpkg-deb)', { skip: spawnSync('dpkg-deb', ['--version']).status !== 0 && 'dpkg-deb is not installed' }, (t) => {
  const build = (withFiles: boolean): string => {
    const root = temp(t, 'ahs-debroot-');
    mkdirSync(join(root, 'DEBIAN'));
    writeFileSync(join(root, 'DEBIAN', 'control'), 'Package: anki-home-sync\nVersion: 0.1.0\nArchitecture: amd64\nMaintainer: test <t@example.invalid>\nDescription: test\n');
    const resources = join(root, 'opt', 'Anki Home Sync', 'resources');
    mkdirSync(resources, { recursive: true });
    writeFileSync(join(resources, 'app.asar'), 'asar');
    if (withFiles) {
      writeFileSync(join(resources, 'package-type'), 'deb');
      writeFileSync(join(resources, 'apparmor-profile'), 'abi <abi/4.0>,\n');
    }
    const deb = join(temp(t, 'ahs-deb-'), 'anki-home-sync_0.1.0_amd64.deb');
    const run = spawnSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return deb;
  };
  assert.deepEqual(debProblems(build(true)), []);
  assert.deepEqual(debProblems(build(false)), [
    'the deb\'s resources/package-type is missing, not "deb"',
    'the deb holds no AppArmor profile: its sandbox fails on Ubuntu 24.04+',
  ]);
});

// ---- the full sync the window check makes -------------------------------------

test('the packaged app\'s sync check, against the real server: a full upload of a real collection and a matching download', async (t) => {
  const app = await createTestApp(t);
  await app.controller.addUser('learner', 'a long enough password');
  assert.equal(await fullSyncRoundTrip(app.base(), 'learner', 'a long enough password'), 16);
  await assert.rejects(fullSyncRoundTrip(app.base(), 'learner', 'wrong password'), /403/);
});
