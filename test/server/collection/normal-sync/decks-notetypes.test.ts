// Deck and notetype changes travel in applyChanges: new ones, renames, and
// name clashes, which the receiver resolves by appending "+" (unicase
// comparison), as the reference does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getDeck } from '../../../../src-main/server/storage/objects/decks.js';
import { getNotetype } from '../../../../src-main/server/storage/objects/notetypes.js';
import { openDatabase } from '../../../../src-main/server/storage/sqlite.js';
import { contentsOf, SyncHarness, twoDevicesInStep } from '../../../support/normal-sync-harness.js';

let harness: SyncHarness;
before(async () => {
  harness = await SyncHarness.start();
});
after(() => harness.stop());

function serverNames(): { decks: Map<number, string>; notetypes: Map<number, string> } {
  const db = openDatabase(harness.serverCollectionPath, { readonly: true });
  try {
    const decks = new Map(db.prepare('SELECT id, name FROM decks').raw().all() as [number, string][]);
    const notetypes = new Map(db.prepare('SELECT id, name FROM notetypes').raw().all() as [number, string][]);
    return { decks, notetypes };
  } finally {
    db.close();
  }
}

test('new decks and notetypes, and renames of both, reach the other device', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
  const deckId = a.addDeck('Languages::Français');
  const notetypeId = a.addNotetype('Vocabulary');
  const { noteId } = a.addNote({ notetypeId, deckId, fields: ['chat', 'cat'], tags: 'french' });
  await harness.sync(a);
  await harness.sync(b);
  assert.equal(getDeck(b.db, deckId)?.name, 'Languages\x1fFrançais');
  assert.equal(getNotetype(b.db, notetypeId)?.name, 'Vocabulary');
  assert.equal(b.db.prepare('SELECT did FROM cards WHERE nid = ?').pluck().get(noteId), deckId);

  b.renameDeck(deckId, 'Languages::French');
  b.renameNotetype(notetypeId, 'Vocab (fr)');
  await harness.sync(b);
  await harness.sync(a);
  assert.equal(getDeck(a.db, deckId)?.name, 'Languages\x1fFrench');
  assert.equal(getNotetype(a.db, notetypeId)?.name, 'Vocab (fr)');
  assert.deepEqual(contentsOf(a), contentsOf(b));
  assert.equal(serverNames().decks.get(deckId), 'Languages\x1fFrench');
});

test('two devices create decks and notetypes whose names clash: both syncs succeed, names get "+"', async () => {
  const { a, b } = await twoDevicesInStep(harness, { thenSync: ['a'] });
  const deckA = a.addDeck('Clash');
  const deckB = b.addDeck('CLASH');
  const notetypeA = a.addNotetype('Shared name');
  const notetypeB = b.addNotetype('shared NAME');
  await harness.sync(a);
  const second = await harness.sync(b);
  assert.equal(second.required.kind, 'normalSync');

  // On the server, B's objects arrived second and were renamed.
  const server = serverNames();
  assert.equal(server.decks.get(deckA), 'Clash');
  assert.equal(server.decks.get(deckB), 'CLASH+');
  assert.equal(server.notetypes.get(notetypeA), 'Shared name');
  assert.equal(server.notetypes.get(notetypeB), 'shared NAME+');
  // On B, A's objects arrived and were renamed there (the reference does not send renames back).
  assert.equal(getDeck(b.db, deckA)?.name, 'Clash+');
  assert.equal(getDeck(b.db, deckB)?.name, 'CLASH');
  assert.equal(getNotetype(b.db, notetypeA)?.name, 'Shared name+');
  assert.equal(b.integrityCheck(), 'ok');
  assert.equal(harness.serverContents().integrity, 'ok');
  // Every object exists on both sides: the counts agreed in sanityCheck2.
  assert.equal(contentsOf(b).decks.length, harness.serverContents().decks.length);
  // And the next syncs are clean.
  await harness.sync(a);
  await harness.sync(b);
  assert.equal((await harness.sync(b)).required.kind, 'noChanges');
  assert.equal(b.integrityCheck(), 'ok');
});
