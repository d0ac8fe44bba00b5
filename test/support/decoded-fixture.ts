// Reads the protobuf-text dumps in real-anki/decoded/ (see its README): an oracle
// for what real Anki writes. Only the parts the tests compare are parsed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_ANKI_FIXTURES } from './real-anki-fixtures.js';

export interface DecodedRow {
  /** e.g. `notetypes`, `fields`, `templates`, `decks`, `deck_config`, `config` */
  table: string;
  /** The `key=value` attributes of the heading line (`id`, `ntid`, `ord`, `name`, `key`, …). */
  attrs: Record<string, string>;
  /** The body lines, trimmed, without comments. */
  lines: string[];
}

export function readDecodedFixture(name: string): DecodedRow[] {
  const text = readFileSync(join(REAL_ANKI_FIXTURES, 'decoded', name), 'utf8');
  const rows: DecodedRow[] = [];
  for (const line of text.split('\n')) {
    const heading = /^#{2,3} (\w+) (.*)$/.exec(line);
    if (heading) {
      const attrs: Record<string, string> = {};
      for (const m of heading[2]!.matchAll(/(\w+)=('(?:[^']*)'|\S+)/g)) attrs[m[1]!] = m[2]!.replace(/^'|'$/g, '');
      rows.push({ table: heading[1]!, attrs, lines: [] });
    } else if (rows.length > 0 && line.trim() !== '' && !line.startsWith('#')) {
      rows[rows.length - 1]!.lines.push(line.trim());
    }
  }
  return rows;
}

/** The unescaped value of a `key: "…"` string line, or undefined. */
export function textField(row: DecodedRow, key: string): string | undefined {
  const line = row.lines.find((l) => l.startsWith(`${key}: "`));
  if (line === undefined) return undefined;
  const quoted = line.slice(key.length + 2);
  return JSON.parse(quoted.replace(/\\'/g, "'")) as string;
}

/** Every value of a `key: value` scalar line. */
export function scalarFields(row: DecodedRow, key: string): string[] {
  return row.lines.filter((l) => l.startsWith(`${key}: `)).map((l) => l.slice(key.length + 2));
}
