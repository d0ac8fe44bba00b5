// The container's PUID and PGID: who the server runs as, and the volume given to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, symlinkSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ID, giveTo, runAsFromEnv, RunAsError } from '../../src-main/container/data-owner.js';
import { makeTempFolder } from '../support/temp-folder.js';

test('PUID and PGID: 1000 each unless set; root and anything but a number are refused, naming the variable', () => {
  assert.deepEqual(runAsFromEnv({}), { uid: DEFAULT_ID, gid: DEFAULT_ID });
  assert.deepEqual(runAsFromEnv({ PUID: '99', PGID: '100' }), { uid: 99, gid: 100 });
  assert.deepEqual(runAsFromEnv({ PUID: '568', PGID: '' }), { uid: 568, gid: DEFAULT_ID });
  const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ PUID: '0' }, /^PUID=0 would run the server as root/],
    [{ PGID: '0' }, /^PGID=0 would run the server as root/],
    [{ PUID: 'nas' }, /^PUID must be a number from 1 to 2147483647, not "nas"/],
    [{ PGID: '-5' }, /^PGID must be a number/],
    [{ PUID: '99999999999' }, /^PUID must be a number/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => runAsFromEnv(env),
      (error: unknown) => error instanceof RunAsError && message.test(error.message),
      JSON.stringify(env),
    );
  }
});

test(
  'giveTo changes only what belongs to someone else, and never follows a link',
  { skip: process.getuid?.() !== 0 && 'changing owners needs root' },
  async () => {
    const folder = makeTempFolder('ahs-data-owner-');
    const outside = makeTempFolder('ahs-data-outside-');
    writeFileSync(join(outside, 'not-mine.txt'), 'x');
    mkdirSync(join(folder, 'alice'));
    writeFileSync(join(folder, 'alice', 'collection.anki2'), 'x');
    symlinkSync(join(outside, 'not-mine.txt'), join(folder, 'link'));
    const owner = { uid: 1234, gid: 2345 };
    assert.equal(await giveTo(folder, owner), 4, 'the folder, alice, her collection and the link itself');
    for (const path of [folder, join(folder, 'alice'), join(folder, 'alice', 'collection.anki2'), join(folder, 'link')]) {
      const stats = lstatSync(path);
      assert.deepEqual([stats.uid, stats.gid], [owner.uid, owner.gid], path);
    }
    assert.equal(lstatSync(join(outside, 'not-mine.txt')).uid, 0, 'the link target stays as it was');
    assert.equal(await giveTo(folder, owner), 0, 'a second start changes nothing');
    chownSync(join(folder, 'alice', 'collection.anki2'), 0, 0);
    assert.equal(await giveTo(folder, owner), 1);
  },
);
