// Collection config: the legacy `conf` object (key → any JSON value, as sent in
// applyChanges and stored in schema 11's col.conf) ↔ the `config` table of
// schema 18, whose `val` is the JSON text of each value (not protobuf).
// Reference: rslib/src/storage/config/mod.rs. Values keep 64-bit integers exact (json.ts).

import { JsonSyntaxError, jsonBytes, parseJsonBytes, type JsonObject, type JsonValue } from '../../json.js';
import { CorruptObjectError, blobFromRow, intFromRow, statement, textFromRow, type Db } from './db.js';
import { defineKey, expectObject } from './legacy-json.js';

export interface ConfigEntry {
  key: string;
  usn: number;
  mtimeSecs: number;
  value: JsonValue;
}

function valueFromRow(row: Record<string, unknown>): JsonValue {
  const key = textFromRow(row['KEY'], 'config key');
  const raw = row['val'];
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : blobFromRow(raw, `config ${key}`);
  try {
    return parseJsonBytes(bytes);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new CorruptObjectError(`config ${key}: ${error.message}`);
    throw error;
  }
}

/** The whole config as the legacy `conf` object (what applyChanges sends when the server is newer). */
export function getAllConfig(db: Db): JsonObject {
  const out: JsonObject = {};
  for (const row of statement(db, 'SELECT KEY, val FROM config ORDER BY KEY').all() as Record<string, unknown>[]) {
    defineKey(out, textFromRow(row['KEY'], 'config key'), valueFromRow(row));
  }
  return out;
}

export function getConfigEntries(db: Db): ConfigEntry[] {
  return (statement(db, 'SELECT KEY, usn, mtime_secs, val FROM config ORDER BY KEY').all() as Record<string, unknown>[]).map((row) => ({
    key: textFromRow(row['KEY'], 'config key'),
    usn: intFromRow(row['usn']),
    mtimeSecs: intFromRow(row['mtime_secs']),
    value: valueFromRow(row),
  }));
}

export function getConfigValue(db: Db, key: string): JsonValue | undefined {
  const row = statement(db, 'SELECT KEY, val FROM config WHERE KEY = ?').get(key) as Record<string, unknown> | undefined;
  return row ? valueFromRow(row) : undefined;
}

export function setConfigValue(db: Db, key: string, value: JsonValue, usn: number, mtimeSecs: number): void {
  statement(db, 'INSERT OR REPLACE INTO config (KEY, usn, mtime_secs, val) VALUES (?, ?, ?, ?)').run(key, usn, mtimeSecs, jsonBytes(value));
}

export function removeConfigValue(db: Db, key: string): void {
  statement(db, 'DELETE FROM config WHERE KEY = ?').run(key);
}

/**
 * Replaces the whole config with `conf`, every row stamped with `usn` and
 * `mtimeSecs` (the reference's set_all_config: applyChanges with a newer client
 * config, and the schema upgrade with usn 0, mtime 0).
 */
export function setAllConfig(db: Db, conf: JsonValue | undefined, usn: number, mtimeSecs: number): void {
  const obj = expectObject(conf, 'config');
  statement(db, 'DELETE FROM config').run();
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value !== undefined) setConfigValue(db, key, value, usn, mtimeSecs);
  }
}

/** The server clears config usns when it sends its config (reference changed_config). */
export function clearConfigUsns(db: Db): void {
  statement(db, 'UPDATE config SET usn = 0 WHERE usn != 0').run();
}
