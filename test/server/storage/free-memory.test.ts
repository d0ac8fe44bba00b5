// What closed files freed goes back to the system (storage/free-memory.ts): our
// SQLite extension calls malloc_trim where the C library is glibc. Whether RSS
// falls is the accounts-memory bench's to show (no thresholds in tests); here,
// that the call is there and that nothing in a collection's schema can make it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseFreeMemory } from '../../../src-main/server/storage/free-memory.js';
import { openDatabase } from '../../../src-main/server/storage/sqlite.js';

const onGlibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime !== undefined;

test('releasing free memory works on glibc, and answers false where there is no malloc_trim', () => {
  assert.equal(releaseFreeMemory(), onGlibc);
});

test('a view or trigger in a collection cannot call release_free_memory', () => {
  const db = openDatabase(':memory:');
  try {
    db.exec('CREATE TABLE t (x)');
    db.exec('CREATE VIEW v AS SELECT release_free_memory() AS y');
    assert.throws(() => db.prepare('SELECT y FROM v').get(), /unsafe use of release_free_memory/);
    db.exec('CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT release_free_memory(); END');
    assert.throws(() => db.prepare('INSERT INTO t VALUES (1)').run(), /unsafe use of release_free_memory/);
  } finally {
    db.close();
  }
});
