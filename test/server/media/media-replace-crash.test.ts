// Issue 10, item 11: replacing media files is crash-safe. The upload is applied
// in a child process that is killed right after some files are moved into
// place, before the commit. At the next start every live row again names a
// file whose content is the row's: the previous content is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaStore } from '../../../src-main/server/media/media-store.js';
import { tempUserPaths } from '../../support/temp-user.js';
import { buildUploadZip } from '../../support/media-zips.js';

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

test('a crash between moving replaced files into place and the commit loses no previous content', async () => {
  const paths = tempUserPaths();
  try {
    const names = Array.from({ length: 6 }, (_, i) => `card-${i}.jpg`);
    const before = new Map(names.map((name, i) => [name, Buffer.from(`old content ${i}`)]));
    {
      const store = MediaStore.open(paths);
      await store.uploadChanges(await buildUploadZip(names.map((name) => [name, before.get(name)!] as const)));
      store.close();
    }
    // Replace every file and add one new one; killed after the 4th move.
    const zipPath = join(paths.folder, 'next.zip');
    writeFileSync(
      zipPath,
      await buildUploadZip([
        ...names.map((name, i) => [name, Buffer.from(`new content ${i}`)] as const),
        ['added.png', Buffer.from('new file')],
      ]),
    );
    const child = fork(
      fileURLToPath(new URL('../../support/media-crash-child.js', import.meta.url)),
      [JSON.stringify(paths), zipPath, '4'],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', 'the child died mid-upload');
    // The crash left new content in place for some names.
    assert.ok(names.some((name) => readFileSync(join(paths.mediaFolder, name)).toString().startsWith('new')));

    const store = MediaStore.open(paths);
    try {
      for (const name of names) {
        assert.equal(readFileSync(join(paths.mediaFolder, name)).toString(), before.get(name)!.toString(), name);
        const [, , rowSha1] = store.changesAfter(0).find(([fname]) => fname === name)!;
        assert.equal(rowSha1, sha1(before.get(name)!), `${name}: the row and the file agree`);
      }
      assert.equal(existsSync(join(paths.mediaFolder, 'added.png')), false, 'nothing names the new file, so it is not left');
      assert.deepEqual(
        readdirSync(paths.mediaFolder).filter((name) => name.startsWith('.')),
        [],
        'staging folders are gone',
      );
    } finally {
      store.close();
    }
  } finally {
    paths.remove();
  }
});

test('a crash between committing deletions and removing their files finishes the deletions at the next start', async () => {
  const paths = tempUserPaths();
  try {
    const names = Array.from({ length: 4 }, (_, i) => `sound-${i}.mp3`);
    {
      const store = MediaStore.open(paths);
      await store.uploadChanges(await buildUploadZip(names.map((name, i) => [name, Buffer.from(`content ${i}`)] as const)));
      store.close();
    }
    const zipPath = join(paths.folder, 'deletions.zip');
    writeFileSync(zipPath, await buildUploadZip(names.map((name) => [name, null] as const)));
    const child = fork(
      fileURLToPath(new URL('../../support/media-crash-child.js', import.meta.url)),
      [JSON.stringify(paths), zipPath, '1', 'unlink'],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', 'the child died after the commit, with one file removed');
    assert.equal(names.filter((name) => existsSync(join(paths.mediaFolder, name))).length, 3, 'three deleted files were still there');

    const store = MediaStore.open(paths);
    try {
      assert.deepEqual(
        store.changesAfter(0).filter(([, , hash]) => hash !== ''),
        [],
        'the deletions were committed',
      );
      assert.deepEqual(readdirSync(paths.mediaFolder), [], 'their files are gone, and so is the staging folder');
    } finally {
      store.close();
    }
  } finally {
    paths.remove();
  }
});
