// Every capability the controller asks of the desktop is a required member of
// DesktopPlatform (controller/platform.ts), so a glue that forgets one does not
// compile. The HTTPS "Choose…" buttons once did nothing in the app because the
// file picker was optional and main.ts never passed it. The @ts-expect-error
// lines below are the check: `npm run typecheck` (and the build) fail if a
// platform without a file picker, or without any other member, compiles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesktopPlatform } from '../../src-main/controller/platform.js';
import { REPO_ROOT } from '../support/fixture-paths.js';

const complete: DesktopPlatform = {
  pickFolder: async () => null,
  pickFile: async () => null,
  pickSaveFile: async () => null,
  copyText: () => undefined,
  setStartAtLogin: () => undefined,
  openFile: () => undefined,
  showFile: () => undefined,
};

/** `platform` without `key`, typed as such (so the check below is the type's, not a literal's). */
function rest<K extends keyof DesktopPlatform>(platform: DesktopPlatform, key: K): Omit<DesktopPlatform, K> {
  const { [key]: _left, ...others } = platform;
  return others;
}

test('a platform missing any capability does not compile', () => {
  // @ts-expect-error the file picker is required: without it "Choose…" would do nothing
  const withoutPicker: DesktopPlatform = { ...rest(complete, 'pickFile') };
  // @ts-expect-error so is the folder picker
  const withoutFolder: DesktopPlatform = { ...rest(complete, 'pickFolder') };
  // @ts-expect-error and opening the root certificate with the system's viewer
  const withoutOpen: DesktopPlatform = { ...rest(complete, 'openFile') };
  // @ts-expect-error and the save dialog: without it "Download my collection" would write nowhere
  const withoutSave: DesktopPlatform = { ...rest(complete, 'pickSaveFile') };
  assert.equal(typeof withoutSave, 'object');
  assert.equal(typeof withoutOpen, 'object');
  assert.equal(typeof withoutPicker, 'object');
  assert.equal(typeof withoutFolder, 'object');
  assert.equal(Object.keys(complete).sort().join(), 'copyText,openFile,pickFile,pickFolder,pickSaveFile,setStartAtLogin,showFile');
});

test('the Electron glue builds the whole platform as one typed object, with a real file dialog', () => {
  const main = readFileSync(join(REPO_ROOT, 'src-main', 'app', 'main.ts'), 'utf8');
  assert.match(main, /const platform: DesktopPlatform = \{/);
  assert.match(main, /pickFile: \(title, current\) => pickFile\(win, title, current\)/);
  const dialogs = readFileSync(join(REPO_ROOT, 'src-main', 'app', 'dialogs.ts'), 'utf8');
  assert.match(dialogs, /export async function pickFile\(/);
  assert.match(dialogs, /properties: \['openFile'/);
  assert.match(main, /pickSaveFile: \(title, suggestedName\) => pickSaveFile\(win, title, /);
  assert.match(dialogs, /dialog\.showSaveDialog\(parent, options\)/);
});
