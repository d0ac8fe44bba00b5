import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANKI_FOLDER_MESSAGE, checkStorageFolder, defaultAnkiDataFolders } from '../../src-main/controller/storage-folder.js';
import { AppError } from '../../src-main/controller/errors.js';
import { makeTempFolder } from '../support/temp-folder.js';

function sandbox(t: { after(fn: () => void): void }): string {
  const dir = makeTempFolder('ahs-folder-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function refusedWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code);
    return error;
  }
  assert.fail('expected a refusal');
}

test('a new folder is created and left empty', async (t) => {
  const dir = sandbox(t);
  const chosen = join(dir, 'Anki Home Sync', 'collections');
  assert.equal(await checkStorageFolder(chosen, []), chosen);
  assert.deepEqual(readdirSync(chosen), []);
});

test("Anki's data folder, a profile inside it, and the platform's Anki2 path are refused", async (t) => {
  const dir = sandbox(t);
  const anki2 = join(dir, 'Anki2');
  mkdirSync(join(anki2, 'User 1'), { recursive: true });
  writeFileSync(join(anki2, 'prefs21.db'), '');
  const error = await refusedWith(checkStorageFolder(anki2, []), 'anki-folder');
  assert.equal(error.message, ANKI_FOLDER_MESSAGE);
  await refusedWith(checkStorageFolder(join(anki2, 'User 1'), []), 'anki-folder');
  // Known location, even before Anki wrote its prefs file there.
  const known = join(dir, 'elsewhere', 'Anki2');
  await refusedWith(checkStorageFolder(join(known, 'sub'), [known]), 'anki-folder');
  assert.equal(existsSync(known), false, 'nothing was created inside it');
});

test('a folder that cannot be written is refused', async (t) => {
  const dir = sandbox(t);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  await refusedWith(checkStorageFolder(join(file, 'inside'), []), 'folder-not-writable');
});

test('each platform names its Anki2 folder', () => {
  assert.match(defaultAnkiDataFolders('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' })[0]!, /Anki2$/);
  assert.match(defaultAnkiDataFolders('darwin', {})[0]!, /Application Support[/\\]Anki2$/);
  assert.equal(defaultAnkiDataFolders('linux', { XDG_DATA_HOME: '/x/share' })[0], join('/x/share', 'Anki2'));
});
