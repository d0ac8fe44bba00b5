// "Export streams to disk and never holds a collection or its media in
// memory" (issue 24 §3): a child process exports a collection of ~48 MB (2,000 notes) and
// ~120 MB of media (large files that stream, and many small ones read whole one
// at a time), and its peak resident memory grows by less than half of what it
// exported. Holding either the collection or the media whole would exceed that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { copyRealAnkiFixture } from '../../../support/real-anki-fixtures.js';
import { makeTempFolder } from '../../../support/temp-folder.js';

const CHILD = fileURLToPath(new URL('../../../support/export-memory-child.js', import.meta.url));
const MiB = 1024 * 1024;

test('a large export grows peak memory by less than half of its size', () => {
  const collection = copyRealAnkiFixture('v18-two-decks-16-notes.anki2');
  const db = openDatabase(collection);
  // Incompressible rows, so the zstd copy is as large as the collection: 2,000 notes of 24 KB.
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
    INSERT INTO notes SELECT 1000000 + i, 'g' || i, mid, mod, usn, tags, flds, sfld, csum, flags, hex(randomblob(12000))
    FROM n, (SELECT * FROM notes ORDER BY id LIMIT 1)`);
  db.close();
  const folder = makeTempFolder('ahs-export-memory-');
  const mediaFolder = join(folder, 'media');
  mkdirSync(mediaFolder);
  let mediaBytes = 0;
  for (let index = 0; index < 24; index++) {
    writeFileSync(join(mediaFolder, `large-${index}.mp4`), randomBytes(4 * MiB));
    mediaBytes += 4 * MiB;
  }
  for (let index = 0; index < 1000; index++) {
    writeFileSync(join(mediaFolder, `small-${index}.jpg`), randomBytes(24 * 1024));
    mediaBytes += 24 * 1024;
  }
  const exported = statSync(collection).size + mediaBytes;
  const out = join(folder, 'large.colpkg');
  const report = JSON.parse(execFileSync(process.execPath, [CHILD, collection, mediaFolder, out], { encoding: 'utf8' })) as {
    peakBefore: number;
    peakAfter: number;
    result: { mediaFiles: number; bytes: number };
  };
  assert.equal(report.result.mediaFiles, 1024);
  assert.ok(report.result.bytes > mediaBytes, 'the package holds every media file, incompressible');
  const growth = report.peakAfter - report.peakBefore;
  assert.ok(growth < exported / 2, `peak memory grew by ${Math.round(growth / MiB)} MiB exporting ${Math.round(exported / MiB)} MiB`);
});
