// Deck configs ("dconf") as schema 18 stores them: the DeckConfig object, the
// reference's defaults and clamping (rslib/src/deckconfig/mod.rs), and the
// `deck_config` rows (rslib/src/storage/deckconfig/mod.rs). Their legacy JSON
// form is deckconfigs-legacy.ts.
import { deckConfigConfigCodec } from '../proto-codec.js';
import { type DeckConfigConfig } from '../proto-types.js';
import { blobFromRow, decodeOrCorrupt, idFromRow, intFromRow, statement, textFromRow, type Db } from './db.js';
import { fail } from './legacy-json.js';

export interface DeckConfig {
  id: number;
  name: string;
  mtimeSecs: number;
  usn: number;
  config: DeckConfigConfig;
}

/** The reference's DEFAULT_DECK_CONFIG_INNER plus DeckConfig::default()'s steps. */
export function defaultDeckConfigConfig(): DeckConfigConfig {
  return {
    ...deckConfigConfigCodec.empty(),
    learn_steps: [1, 10],
    relearn_steps: [10],
    new_per_day: 20,
    reviews_per_day: 200,
    initial_ease: 2.5,
    easy_multiplier: Math.fround(1.3),
    hard_multiplier: Math.fround(1.2),
    interval_multiplier: 1,
    maximum_review_interval: 36500,
    minimum_lapse_interval: 1,
    graduating_interval_good: 1,
    graduating_interval_easy: 4,
    leech_action: 1,
    leech_threshold: 8,
    cap_answer_time_to_secs: 60,
    wait_for_audio: true,
    desired_retention: Math.fround(0.9),
    historical_retention: Math.fround(0.9),
    easy_days_percentages: [1, 1, 1, 1, 1, 1, 1],
  };
}

/** A deck config with the reference's defaults (DeckConfig::default()), mtime 0, usn 0. */
export function newDeckConfig(id: number, name: string): DeckConfig {
  return { id, name, mtimeSecs: 0, usn: 0, config: defaultDeckConfigConfig() };
}

/**
 * The reference's ensure_deck_config_values_valid, applied whenever it reads a
 * config from storage: an out-of-range value is replaced by the default.
 */
export function clampDeckConfigValues(c: DeckConfigConfig): void {
  const u32 = (key: U32Key, fallback: number, min: number, max: number) => {
    if (c[key] < min || c[key] > max) c[key] = fallback;
  };
  const f32 = (key: F32Key, fallback: number, min: number, max: number) => {
    const v = c[key];
    if (Number.isNaN(v) || v < Math.fround(min) || v > Math.fround(max)) c[key] = Math.fround(fallback);
  };
  u32('new_per_day', 20, 0, 9999);
  u32('reviews_per_day', 200, 0, 9999);
  u32('new_per_day_minimum', 0, 0, 9999);
  f32('initial_ease', 2.5, 1.31, 5.0);
  f32('easy_multiplier', 1.3, 1.0, 5.0);
  f32('hard_multiplier', 1.2, 0.5, 1.3);
  f32('lapse_multiplier', 0.0, 0.0, 1.0);
  f32('interval_multiplier', 1.0, 0.5, 2.0);
  u32('maximum_review_interval', 36500, 1, 36500);
  u32('minimum_lapse_interval', 1, 1, 36500);
  u32('graduating_interval_good', 1, 1, 36500);
  u32('graduating_interval_easy', 4, 1, 36500);
  u32('leech_threshold', 8, 1, 9999);
  u32('cap_answer_time_to_secs', 60, 1, 9999);
  f32('desired_retention', 0.9, 0.7, 0.99);
  f32('historical_retention', 0.9, 0.7, 0.97);
}
type U32Key =
  | 'new_per_day'
  | 'reviews_per_day'
  | 'new_per_day_minimum'
  | 'maximum_review_interval'
  | 'minimum_lapse_interval'
  | 'graduating_interval_good'
  | 'graduating_interval_easy'
  | 'leech_threshold'
  | 'cap_answer_time_to_secs';
type F32Key =
  | 'initial_ease'
  | 'easy_multiplier'
  | 'hard_multiplier'
  | 'lapse_multiplier'
  | 'interval_multiplier'
  | 'desired_retention'
  | 'historical_retention';

// ---- rows ------------------------------------------------------------------------

const SELECT_DECK_CONFIG = 'SELECT id, name, mtime_secs, usn, config FROM deck_config';

/** `clamp` false only for the schema upgrade, which must see the raw stored values. */
function deckConfigFromRow(row: Record<string, unknown>, clamp = true): DeckConfig {
  const id = idFromRow(row['id'], 'deck config');
  const what = `deck config ${id}`;
  const config = decodeOrCorrupt(what, () => deckConfigConfigCodec.decode(blobFromRow(row['config'], what)));
  if (clamp) clampDeckConfigValues(config);
  return { id, name: textFromRow(row['name'], what), mtimeSecs: intFromRow(row['mtime_secs']), usn: intFromRow(row['usn']), config };
}

export function getDeckConfig(db: Db, id: number): DeckConfig | undefined {
  const row = statement(db, `${SELECT_DECK_CONFIG} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  return row ? deckConfigFromRow(row) : undefined;
}

/** Every deck config, in id order, clamped as the reference reads them. */
export function allDeckConfigs(db: Db, options: { clamp?: boolean } = {}): DeckConfig[] {
  return (statement(db, `${SELECT_DECK_CONFIG} ORDER BY id`).all() as Record<string, unknown>[]).map((row) =>
    deckConfigFromRow(row, options.clamp ?? true),
  );
}

/** Deck configs with `usn >= minUsn`, in id order. */
export function deckConfigsChangedSince(db: Db, minUsn: number): DeckConfig[] {
  return (statement(db, `${SELECT_DECK_CONFIG} WHERE usn >= ? ORDER BY id`).all(minUsn) as Record<string, unknown>[]).map((row) =>
    deckConfigFromRow(row),
  );
}

/** Inserts or replaces the row exactly as given. */
export function putDeckConfig(db: Db, dc: DeckConfig): void {
  if (dc.id === 0) fail('deck config', 'id 0');
  statement(db, 'INSERT OR REPLACE INTO deck_config (id, name, mtime_secs, usn, config) VALUES (?, ?, ?, ?, ?)').run(
    dc.id,
    dc.name,
    dc.mtimeSecs,
    dc.usn,
    deckConfigConfigCodec.encode(dc.config),
  );
}

export function removeDeckConfig(db: Db, id: number): void {
  statement(db, 'DELETE FROM deck_config WHERE id = ?').run(id);
}
