// What `anki-home-sync snapshots list` prints, without a server: the table's
// columns line up, counts read as numbers, unknown counts as a dash; and which
// `export` arguments this module takes over (--snapshot, in either spelling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCounts, exportNamesSnapshot, formatWhen, snapshotTable } from '../src-main/snapshot-commands.js';
import type { SnapshotEntry } from '../src-main/server/index.js';

const at = new Date(2026, 11, 7, 5, 3).getTime();
const entries: SnapshotEntry[] = [
  { id: 'a1', takenAt: at, kind: 'after-sync', bytes: 3_500_000, notes: 12_345, cards: 23_456, revlog: 100_000 },
  { id: 'old-one', takenAt: at - 86_400_000, kind: 'old-backup', bytes: 900, notes: null, cards: null, revlog: null },
];

test('the list is a table whose columns line up, kinds in words, sizes readable', () => {
  const lines = snapshotTable(entries);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ {2}ID\s+Taken\s+Kind\s+Notes\s+Cards\s+Reviews\s+Size$/);
  assert.match(lines[1]!, /^ {2}a1\s+2026-12-07 05:03 {2}after a sync\s+12,345\s+23,456\s+100,000\s+3\.5 MB$/);
  assert.match(lines[2]!, /^ {2}old-one\s+2026-12-06 05:03 {2}an older backup\s+–\s+–\s+–\s+900 bytes$/);
  // Numbers are right-aligned: every line ends its Size column at the same place.
  const sizeEnds = lines.map((line) => line.length);
  assert.equal(new Set(sizeEnds).size, 1, lines.join('\n'));
});

test('counts in words, and what is not known left out', () => {
  assert.equal(describeCounts(entries[0]!), '12,345 notes, 23,456 cards, 100,000 reviews');
  assert.equal(describeCounts({ ...entries[0]!, notes: 1, cards: 1, revlog: 1 }), '1 note, 1 card, 1 review');
  assert.equal(describeCounts(entries[1]!), 'counts not read');
  assert.equal(formatWhen(at), '2026-12-07 05:03');
});

test('export is taken over only when it names a snapshot', () => {
  assert.equal(exportNamesSnapshot(['alice', 'a.colpkg']), false);
  assert.equal(exportNamesSnapshot(['alice', 'a.colpkg', '--legacy']), false);
  assert.equal(exportNamesSnapshot(['alice', 'a.colpkg', '--snapshot', 'x']), true);
  assert.equal(exportNamesSnapshot(['--snapshot=x', 'alice', 'a.colpkg']), true);
});
