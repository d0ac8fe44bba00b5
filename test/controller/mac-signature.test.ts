// Whether a copy may download and install updates: a Mac build signed ad hoc
// (no release secrets) must only offer a download, because Squirrel.Mac
// refuses to install into an app without a Developer ID signature. macOS's
// `codesign` is stood in for by a real program of that name on the PATH given
// to the code, printing what the real one prints for each kind of build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOf, macSignature, signatureFromCodesign, updatesInstall } from '../../src-main/controller/mac-signature.js';
import { makeTempFolder } from '../support/temp-folder.js';

const EXEC = '/Applications/Anki Home Sync.app/Contents/MacOS/Anki Home Sync';

// What `codesign -dv --verbose=2` prints (on stderr) for an ad hoc build and a Developer ID build.
const AD_HOC = `Executable=${EXEC}
Identifier=org.ankihomesync.app
Format=app bundle with Mach-O thin (arm64)
CodeDirectory v=20400 size=511 flags=0x20002(adhoc,linker-signed) hashes=5+7 location=embedded
Signature=adhoc
Info.plist entries=31
TeamIdentifier=not set
Sealed Resources version=2 rules=13 files=9
Internal requirements count=0 size=12
`;
const DEVELOPER_ID = `Executable=${EXEC}
Identifier=org.ankihomesync.app
Format=app bundle with Mach-O thin (arm64)
CodeDirectory v=20500 size=511 flags=0x10000(runtime) hashes=5+7 location=embedded
Signature size=9046
Authority=Developer ID Application: Anki Home Sync (AB12CD34EF)
Authority=Developer ID Certification Authority
Authority=Apple Root CA
Timestamp=7 Dec 2026 at 05:41:12
TeamIdentifier=AB12CD34EF
`;

function fakeCodesign(t: { after(fn: () => void): void }, stderr: string, code = 0): NodeJS.ProcessEnv {
  const folder = makeTempFolder('ahs-codesign-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const printed = join(folder, 'printed');
  writeFileSync(printed, stderr);
  const script = join(folder, 'codesign');
  // The bundle must be the one asked about: a wrong path prints what codesign prints for a missing file.
  writeFileSync(
    script,
    `#!/bin/sh\n[ "$1" = -dv ] && [ "$2" = --verbose=2 ] && [ "$3" = '${bundleOf(EXEC)}' ] || { echo "$3: No such file or directory" >&2; exit 1; }\ncat '${printed}' >&2\nexit ${code}\n`,
  );
  chmodSync(script, 0o755);
  return { PATH: `${folder}:/usr/bin:/bin` }; // cat comes from the system
}

test('the bundle is the .app three levels above the executable', () => {
  assert.equal(bundleOf(EXEC), '/Applications/Anki Home Sync.app');
});

test("codesign's words: ad hoc, a Developer ID, and anything else", () => {
  assert.equal(signatureFromCodesign(AD_HOC), 'ad-hoc');
  assert.equal(signatureFromCodesign(DEVELOPER_ID), 'developer-id');
  assert.equal(signatureFromCodesign(`Executable=${EXEC}\nAuthority=Apple Development: someone (XYZ)\n`), 'other');
  assert.equal(signatureFromCodesign(`${EXEC}: code object is not signed at all\n`), 'other');
});

test('a Mac build signed ad hoc only looks for updates; one with a Developer ID installs them', async (t) => {
  assert.equal(await macSignature(bundleOf(EXEC), fakeCodesign(t, AD_HOC)), 'ad-hoc');
  assert.equal(await updatesInstall('darwin', EXEC, fakeCodesign(t, AD_HOC)), false);
  assert.equal(await updatesInstall('darwin', EXEC, fakeCodesign(t, DEVELOPER_ID)), true);
});

test('when codesign fails or is missing, a Mac build does not download what it may not install', async (t) => {
  assert.equal(await updatesInstall('darwin', EXEC, fakeCodesign(t, DEVELOPER_ID, 1)), false);
  const empty = makeTempFolder('ahs-no-codesign-');
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  assert.equal(await macSignature(bundleOf(EXEC), { PATH: empty }), 'other');
});

test('Windows and Linux builds install their updates, and codesign is never asked there', async (t) => {
  const env = fakeCodesign(t, AD_HOC);
  assert.equal(await updatesInstall('win32', 'C:\\Program Files\\Anki Home Sync\\Anki Home Sync.exe', env), true);
  assert.equal(await updatesInstall('linux', '/opt/Anki Home Sync/anki-home-sync', env), true);
});
