// The download zip is written by our own code (download/download-zip.ts), not a
// zip library: read it back with yauzl, which checks every header against the
// central directory, with its CRCs, names, sizes and times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import yauzl from 'yauzl';
import { buildDownloadZip } from '../../../src-main/server/media/download/download-zip.js';
import { readDownloadZip } from '../../support/media-zip-reader.js';

function entries(zip: Buffer): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, file) => {
      if (error) return reject(error);
      const found: yauzl.Entry[] = [];
      file.on('entry', (entry: yauzl.Entry) => {
        found.push(entry);
        file.readEntry();
      });
      file.on('end', () => resolve(found));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

test('members 0..n-1 hold the files, _meta names them, each stored with its CRC', async () => {
  const files = [
    { fname: 'photo.jpg', data: randomBytes(70_000) },
    { fname: 'empty.txt', data: Buffer.alloc(0) },
    { fname: '日本語 ✓.png', data: Buffer.from('unicode') },
  ];
  const zip = buildDownloadZip(files);
  const read = await readDownloadZip(zip); // checks every member's CRC, as the reference client does
  assert.deepEqual(read.order, ['0', '1', '2', '_meta']);
  assert.deepEqual(read.meta, { '0': 'photo.jpg', '1': 'empty.txt', '2': '日本語 ✓.png' });
  assert.deepEqual(
    read.members.map((member) => member.data),
    files.map((file) => file.data),
  );
  for (const entry of await entries(zip)) {
    assert.equal(entry.compressionMethod, 0, `${entry.fileName} is stored`);
    assert.equal(entry.compressedSize, entry.uncompressedSize);
    assert.equal(entry.generalPurposeBitFlag & 0x0800, 0x0800, 'names are flagged UTF-8');
  }
});

test('the members carry the local time they were built at, to the two seconds DOS times allow', async () => {
  const when = new Date(2026, 2, 14, 15, 9, 27);
  const [first] = await entries(buildDownloadZip([{ fname: 'a', data: Buffer.from('a') }], when));
  assert.equal(first!.getLastModDate().getTime(), new Date(2026, 2, 14, 15, 9, 26).getTime());
});

test('a zip with no files is only _meta, an empty object', async () => {
  const read = await readDownloadZip(buildDownloadZip([]));
  assert.deepEqual(read.order, ['_meta']);
  assert.deepEqual(read.meta, {});
});
