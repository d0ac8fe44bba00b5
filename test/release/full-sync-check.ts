// A device's first sync against a server, with a real collection written by
// Anki: login, meta, a full upload, and a full download that must match it row
// for row. Against the packaged app this runs the upload check's worker thread
// and the .proto files from inside app.asar (drive-window.ts); here it runs
// against the headless server (test/release/release-scripts.test.ts).

import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src-main/server/storage/sqlite.js';
import { REAL_ANKI_FIXTURES } from '../support/fixture-paths.js';
import { V11Client } from '../support/v11-client.js';
import { makeTempFolder } from '../support/temp-folder.js';

export const SYNC_FIXTURE = 'v18-two-decks-16-notes.anki2';

function rows(path: string): string {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const notes = db.prepare('SELECT id, guid, mid, flds FROM notes ORDER BY id').all();
    const cards = db.prepare('SELECT id, nid, did, ord, type, queue, due, ivl FROM cards ORDER BY id').all();
    const decks = db.prepare('SELECT id, name FROM decks ORDER BY id').all();
    return JSON.stringify({ notes, cards, decks });
  } finally {
    db.close();
  }
}

/** Uploads the fixture as `username` and downloads it back; throws unless the two match. Returns the note count. */
export async function fullSyncRoundTrip(base: string, username: string, password: string): Promise<number> {
  const work = makeTempFolder('ahs-roundtrip-');
  try {
    const uploaded = join(work, 'device-a.anki2');
    copyFileSync(join(REAL_ANKI_FIXTURES, SYNC_FIXTURE), uploaded);
    const deviceA = new V11Client(base);
    await deviceA.login(username, password);
    await deviceA.meta();
    const answer = await deviceA.fullUpload(uploaded);
    if (answer !== 'OK') throw new Error(`the full upload was answered "${answer}"`);

    const downloaded = join(work, 'device-b.anki2');
    const deviceB = new V11Client(base);
    await deviceB.login(username, password);
    await deviceB.meta();
    await deviceB.fullDownload(downloaded);
    const expected = rows(uploaded);
    if (rows(downloaded) !== expected) throw new Error('the downloaded collection differs from the uploaded one');
    return (JSON.parse(expected) as { notes: unknown[] }).notes.length;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
