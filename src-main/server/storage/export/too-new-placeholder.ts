// The `collection.anki2` a Latest package also carries, as the reference writes
// it (rslib/src/import_export/package/colpkg/export.rs,
// `write_dummy_collection`): a tiny schema-11 collection whose one note asks to
// update Anki. Anki before 2.1.50 knows only that name, so it opens this and
// says what to do, instead of failing on a package it cannot read; newer Anki
// reads `meta` and never looks at it.
import { randomBytes } from 'node:crypto';
import { deriveNoteColumns } from '../../collection/sync-data/note-fields.js';
import { downgradeToSchema11 } from '../schema/downgrade.js';
import { buildEmptyCollection } from '../new-collection/build.js';
import { openDatabase } from '../sqlite.js';

/** The reference's text (ftl/core/exporting.ftl, `exporting-colpkg-too-new`). */
export const TOO_NEW_TEXT = 'Please update to the latest Anki version, then import the .colpkg/.apkg file again.';

/** Writes the placeholder collection to `path` (a new file). */
export function writeTooNewPlaceholder(path: string, nowMs = Date.now()): void {
  const db = openDatabase(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    buildEmptyCollection(db, nowMs);
    // The first stock notetype is Basic, its sort field the first.
    const basic = db.prepare("SELECT id FROM notetypes WHERE name = 'Basic'").pluck().get() as number;
    const columns = deriveNoteColumns([TOO_NEW_TEXT, ''], 0);
    const id = nowMs;
    const mod = Math.floor(nowMs / 1000);
    db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?, -1, '', ?, ?, ?, 0, '')").run(
      id,
      randomBytes(8).toString('base64url'),
      basic,
      mod,
      columns.flds,
      columns.sfld,
      columns.csum,
    );
    db.prepare("INSERT INTO cards VALUES (?, ?, 1, 0, ?, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, '')").run(id, id, mod);
    downgradeToSchema11(db);
    // As the reference leaves it: small pages, no journal, compacted.
    db.pragma('page_size = 512');
    db.exec('VACUUM');
  } finally {
    db.close();
  }
}
