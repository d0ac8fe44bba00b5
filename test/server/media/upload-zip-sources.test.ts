// An upload zip is read from memory (a media batch the size real clients send)
// or from the file it was spooled to (a larger one): read-upload-zip.ts takes a
// member whole from memory, and streams it from a file. Both must come to the
// same verdict on every zip, sound or broken: the same files staged, or a
// refusal (400) from both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageUploadZip } from '../../../src-main/server/media/upload/read-upload-zip.js';
import type { ZipSource } from '../../../src-main/server/media/upload/zip-archive.js';
import { BadRequestError } from '../../../src-main/server/errors.js';
import { makeTempFolder } from '../../support/temp-folder.js';
import { seededRandom } from '../../support/seeded-random.js';
import { forgeZip, uploadMembers } from '../../support/zip-forge.js';
import { compressible, ZIP_MUTATIONS, type Mutation } from '../../support/zip-mutations.js';

/** What staging made of the zip: each change with the bytes staged, or "refused". */
async function verdict(source: ZipSource, mediaFolder: string): Promise<string> {
  try {
    const staged = await stageUploadZip(source, mediaFolder);
    try {
      return JSON.stringify(
        staged.changes.map((change) =>
          change.kind === 'delete'
            ? [change.fname]
            : [change.fname, change.sha1.toString('hex'), change.size, readFileSync(change.tempPath).toString('base64')],
        ),
      );
    } finally {
      await staged.discard();
    }
  } catch (error) {
    assert.ok(error instanceof BadRequestError, `a broken zip is a 400, not ${String(error)}`);
    return 'refused';
  }
}

test('every zip, sound or broken, gets the same verdict read from memory and from its spool file', async (t) => {
  const folder = makeTempFolder('ahs-zip-sources-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const mediaFolder = join(folder, 'media');
  mkdirSync(mediaFolder);
  const random = seededRandom(0x51ce);
  const refused = new Map<string, number>();
  let compared = 0;
  for (let round = 0; round < 30; round++) {
    for (const [name, mutate] of [['sound', ((members) => forgeZip(members)) satisfies Mutation], ...Object.entries(ZIP_MUTATIONS)] as [
      string,
      Mutation,
    ][]) {
      const deflate = random() < 0.5;
      const files: [string, Buffer][] = [
        [`a-${round}.txt`, compressible(1000 + Math.floor(random() * 5000))],
        [`b-${round}.bin`, Buffer.from(Array.from({ length: 300 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)))],
      ];
      const zip = mutate(uploadMembers(files, deflate), random);
      const spooled = join(folder, `spooled-${compared}`);
      writeFileSync(spooled, zip);
      const fromMemory = await verdict(zip, mediaFolder);
      const fromFile = await verdict({ path: spooled }, mediaFolder);
      rmSync(spooled);
      assert.equal(fromMemory, fromFile, `${name} (round ${round}, ${deflate ? 'deflated' : 'stored'})`);
      if (name === 'sound') assert.notEqual(fromMemory, 'refused', 'a sound zip is staged');
      if (fromMemory === 'refused') refused.set(name, (refused.get(name) ?? 0) + 1);
      compared++;
    }
  }
  // The broken zips really were broken, so both readers' checks were exercised.
  assert.ok((refused.get('a bad CRC everywhere') ?? 0) > 0);
  assert.ok((refused.get('truncated anywhere') ?? 0) > 0);
});

test('a deflated member that inflates past its declared size is refused from memory as from a file', async (t) => {
  const folder = makeTempFolder('ahs-zip-sources-');
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const mediaFolder = join(folder, 'media');
  mkdirSync(mediaFolder);
  const members = uploadMembers([['bomb.txt', compressible(1024 * 1024)]], true);
  members[0] = { ...members[0]!, local: { uncompressedSize: 1000 }, central: { uncompressedSize: 1000 } };
  const zip = forgeZip(members);
  const spooled = join(folder, 'spooled');
  writeFileSync(spooled, zip);
  assert.equal(await verdict(zip, mediaFolder), 'refused');
  assert.equal(await verdict({ path: spooled }, mediaFolder), 'refused');
});
