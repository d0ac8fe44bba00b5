// The power-cut harness, checked against itself: a writer that skips an fsync
// must lose its write after a cut, and one that does every fsync must not. If
// these did not hold, the power-cut tests of the server would prove nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ForgetfulFs, forgetfulFsUnavailable, type DurabilityModel } from '../support/powercut/forgetful-fs.js';

const unavailable = forgetfulFsUnavailable();
if (unavailable !== null) console.log(`﹣ ${unavailable}; the power-cut tests are skipped.`);

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to `path` through a temp file, with the fsyncs named in `steps`. */
function replaceFile(path: string, text: string, steps: { file: boolean; folder: boolean }): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, text);
  if (steps.file) fsyncPath(temp);
  renameSync(temp, path);
  if (steps.folder) fsyncPath(join(path, '..'));
}

const correct = { file: true, folder: true };

function contentOf(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

async function withFs(t: TestContext, model: DurabilityModel, body: (fs: ForgetfulFs) => Promise<void>): Promise<void> {
  const fs = await ForgetfulFs.mount(model);
  t.after(() => fs.close());
  await body(fs);
}

for (const model of ['posix', 'ext4'] as const) {
  test(`${model}: a rename with no fsync at all is lost; the durable old content stays`, { skip: unavailable ?? false }, (t) =>
    withFs(t, model, async (fs) => {
      const target = join(fs.root, 'settings.json');
      replaceFile(target, 'old', correct);
      replaceFile(target, 'new', { file: false, folder: false });
      assert.equal(contentOf(target), 'new', 'before the cut, the live state has it');
      await fs.cut();
      assert.equal(contentOf(target), 'old');
    }),
  );

  test(`${model}: write, fsync, rename, fsync the folder: kept`, { skip: unavailable ?? false }, (t) =>
    withFs(t, model, async (fs) => {
      const target = join(fs.root, 'settings.json');
      replaceFile(target, 'old', correct);
      replaceFile(target, 'new', correct);
      await fs.cut();
      assert.equal(contentOf(target), 'new');
    }),
  );

  test(`${model}: a cut armed before the first operation brings back the state before it`, { skip: unavailable ?? false }, (t) =>
    withFs(t, model, async (fs) => {
      const target = join(fs.root, 'settings.json');
      replaceFile(target, 'old', correct);
      await fs.arm(1);
      replaceFile(target, 'new', correct);
      assert.ok((await fs.operations()).ops >= 4, 'write, fsync, rename and fsync were counted');
      await fs.cut();
      assert.equal(contentOf(target), 'old');
    }),
  );

  test(`${model}: save and restore bring a whole state back, unsynced parts included`, { skip: unavailable ?? false }, (t) =>
    withFs(t, model, async (fs) => {
      const target = join(fs.root, 'a.txt');
      writeFileSync(target, 'saved, never synced');
      await fs.save();
      writeFileSync(target, 'changed');
      await fs.restore();
      assert.equal(contentOf(target), 'saved, never synced');
    }),
  );
}

test('posix: a rename whose folder is not fsynced is lost, though the file was', { skip: unavailable ?? false }, (t) =>
  withFs(t, 'posix', async (fs) => {
    const target = join(fs.root, 'settings.json');
    replaceFile(target, 'old', correct);
    replaceFile(target, 'new', { file: true, folder: false });
    await fs.cut();
    assert.equal(contentOf(target), 'old');
  }),
);

test('posix: a new folder whose parent is not fsynced is gone, with what was synced inside it', { skip: unavailable ?? false }, (t) =>
  withFs(t, 'posix', async (fs) => {
    const folder = join(fs.root, 'alice');
    mkdirSync(folder);
    replaceFile(join(folder, 'collection.anki2'), 'cards', correct);
    await fs.cut();
    assert.equal(existsSync(folder), false);
  }),
);

test('ext4: any fsync commits every name, so the same new folder survives', { skip: unavailable ?? false }, (t) =>
  withFs(t, 'ext4', async (fs) => {
    const folder = join(fs.root, 'alice');
    mkdirSync(folder);
    replaceFile(join(folder, 'collection.anki2'), 'cards', correct);
    await fs.cut();
    assert.equal(contentOf(join(folder, 'collection.anki2')), 'cards');
  }),
);

test(
  'ext4: a file renamed over another keeps its bytes without its own fsync (auto_da_alloc), a new name does not',
  { skip: unavailable ?? false },
  (t) =>
    withFs(t, 'ext4', async (fs) => {
      const replaced = join(fs.root, 'replaced.txt');
      const fresh = join(fs.root, 'fresh.txt');
      replaceFile(replaced, 'old', correct);
      replaceFile(replaced, 'new', { file: false, folder: false });
      writeFileSync(fresh, 'never synced');
      fsyncPath(fs.root);
      await fs.cut();
      assert.equal(contentOf(replaced), 'new');
      assert.equal(contentOf(fresh), '', 'the name is committed, its bytes are not');
    }),
);
