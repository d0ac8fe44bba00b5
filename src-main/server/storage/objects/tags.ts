// Tags: plain names in applyChanges, the `{name: usn}` map of schema 11's
// col.tags, and the `tags` table of schema 18 (tag COLLATE unicase, usn,
// collapsed, config NULL). Reference: rslib/src/storage/tag/mod.rs and
// rslib/src/tags/register.rs.

import type { JsonObject } from '../../json.js';
import { intFromRow, statement, textFromRow, type Db } from './db.js';
import { defineKey } from './legacy-json.js';
import { normalizeTagName } from './names.js';

export interface Tag {
  name: string;
  usn: number;
  collapsed: boolean;
}

export function allTags(db: Db): Tag[] {
  return (statement(db, 'SELECT tag, usn, collapsed FROM tags ORDER BY tag').all() as Record<string, unknown>[]).map((row) => ({
    name: textFromRow(row['tag'], 'tag'),
    usn: intFromRow(row['usn']),
    collapsed: intFromRow(row['collapsed']) !== 0,
  }));
}

/** Names of the tags with `usn >= minUsn` (what the server sends in applyChanges). */
export function tagsChangedSince(db: Db, minUsn: number): string[] {
  return (statement(db, 'SELECT tag FROM tags WHERE usn >= ? ORDER BY tag').all(minUsn) as Record<string, unknown>[]).map((row) =>
    textFromRow(row['tag'], 'tag'),
  );
}

/** The stored spelling of a tag, matched case-insensitively (unicase). */
export function preferredTagCase(db: Db, name: string): string | undefined {
  const row = statement(db, 'SELECT tag FROM tags WHERE tag = ?').get(name) as { tag: string } | undefined;
  return row?.tag;
}

/**
 * Adds a tag as the reference's register_tag does for a synced tag name:
 * normalise it; if it exists in any case, keep the stored one (tags are
 * add-only); otherwise adopt the case of an existing parent and insert it,
 * collapsed, with `usn`. Returns the stored name and whether it was new.
 */
export function registerTag(db: Db, name: string, usn: number): { name: string; added: boolean } {
  const normalized = normalizeTagName(name);
  const existing = preferredTagCase(db, normalized);
  if (existing !== undefined) return { name: existing, added: false };
  const stored = withParentCase(db, normalized);
  putTag(db, { name: stored, usn, collapsed: true });
  return { name: stored, added: true };
}

function withParentCase(db: Db, tag: string): string {
  let parent = tag;
  for (;;) {
    const cut = parent.lastIndexOf('::');
    if (cut < 0) return tag;
    parent = parent.slice(0, cut);
    const stored = preferredTagCase(db, parent);
    if (stored !== undefined) {
      const parentDepth = stored.split('::').length;
      return [stored, ...tag.split('::').slice(parentDepth)].join('::');
    }
  }
}

/** Inserts or replaces one row as given. */
export function putTag(db: Db, tag: Tag): void {
  statement(db, 'INSERT OR REPLACE INTO tags (tag, usn, collapsed) VALUES (?, ?, ?)').run(tag.name, tag.usn, tag.collapsed ? 1 : 0);
}

/** Schema 11's col.tags map. */
export function tagsToLegacyMap(tags: readonly Tag[]): JsonObject {
  const out: JsonObject = {};
  for (const tag of tags) defineKey(out, tag.name, tag.usn);
  return out;
}
