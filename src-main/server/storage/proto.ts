// The protobuf blobs of a schema-18 collection, read and written with
// protobufjs from our own declarations in proto/.
//
// The .proto files are loaded at run time (protobufjs `loadSync`) rather than
// compiled to static code: protobufjs-cli is not installed here, the files are
// short, they load once per process in a few milliseconds, and the field
// numbers stay readable next to the reference's. They are read with node:fs
// relative to this module (dist/src-main/server/storage/ → ../../../../proto/),
// which holds both in a plain checkout and inside an Electron asar (Electron's
// fs reads asar entries); the packager must therefore include proto/**.
//
// Decoded messages are plain objects: every field present with its proto3
// default, int64 as bigint, enums as numbers, `optional` fields undefined when
// absent. Encoding omits default values the way Rust's prost does, so a blob we
// decode and re-encode comes out byte for byte the same (tested against blobs
// written by real Anki).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('../../../../proto/', import.meta.url));
const PROTO_FILES = ['notetypes.proto', 'decks.proto', 'deck_config.proto'];

let root: protobuf.Root | undefined;

function loadRoot(): protobuf.Root {
  if (!root) {
    const loaded = new protobuf.Root();
    // read with node:fs (asar-aware in Electron) rather than protobufjs's own loader
    for (const name of PROTO_FILES) protobuf.parse(readFileSync(PROTO_DIR + name, 'utf8'), loaded, { keepCase: true });
    loaded.resolveAll();
    root = loaded;
  }
  return root;
}

/** anki.notetypes.Notetype.Config (notetypes.config) */
export interface NotetypeConfig {
  kind: number;
  sort_field_idx: number;
  css: string;
  target_deck_id_unused: bigint;
  latex_pre: string;
  latex_post: string;
  latex_svg: boolean;
  reqs: CardRequirement[];
  original_stock_kind: number;
  original_id?: bigint;
  other: Uint8Array;
}

/** anki.notetypes.Notetype.Config.CardRequirement; kind 0 none, 1 any, 2 all */
export interface CardRequirement {
  card_ord: number;
  kind: number;
  field_ords: number[];
}

/** anki.notetypes.Notetype.Field.Config (fields.config) */
export interface FieldConfig {
  sticky: boolean;
  rtl: boolean;
  font_name: string;
  font_size: number;
  description: string;
  plain_text: boolean;
  collapsed: boolean;
  exclude_from_search: boolean;
  id?: bigint;
  tag?: number;
  prevent_deletion: boolean;
  other: Uint8Array;
}

/** anki.notetypes.Notetype.Template.Config (templates.config) */
export interface TemplateConfig {
  q_format: string;
  a_format: string;
  q_format_browser: string;
  a_format_browser: string;
  target_deck_id: bigint;
  browser_font_name: string;
  browser_font_size: number;
  id?: bigint;
  other: Uint8Array;
}

/** anki.decks.Deck.Common (decks.common) */
export interface DeckCommon {
  study_collapsed: boolean;
  browser_collapsed: boolean;
  last_day_studied: number;
  new_studied: number;
  review_studied: number;
  milliseconds_studied: number;
  learning_studied: number;
  other: Uint8Array;
}

export interface DayLimit {
  limit: number;
  today: number;
}

/** anki.decks.Deck.Normal */
export interface NormalDeck {
  config_id: bigint;
  extend_new: number;
  extend_review: number;
  description: string;
  markdown_description: boolean;
  review_limit?: number;
  new_limit?: number;
  review_limit_today: DayLimit | null;
  new_limit_today: DayLimit | null;
  desired_retention?: number;
}

export interface FilteredSearchTerm {
  search: string;
  limit: number;
  order: number;
}

/** anki.decks.Deck.Filtered */
export interface FilteredDeck {
  reschedule: boolean;
  search_terms: FilteredSearchTerm[];
  delays: number[];
  preview_delay: number;
  preview_again_secs: number;
  preview_hard_secs: number;
  preview_good_secs: number;
}

/** anki.decks.Deck.KindContainer (decks.kind): exactly one of the two is set. */
export type DeckKind = { normal: NormalDeck; filtered?: undefined } | { filtered: FilteredDeck; normal?: undefined };

/** anki.deck_config.DeckConfig.Config (deck_config.config) */
export interface DeckConfigConfig {
  learn_steps: number[];
  relearn_steps: number[];
  fsrs_params_4: number[];
  fsrs_params_5: number[];
  fsrs_params_6: number[];
  new_per_day: number;
  reviews_per_day: number;
  new_per_day_minimum: number;
  initial_ease: number;
  easy_multiplier: number;
  hard_multiplier: number;
  lapse_multiplier: number;
  interval_multiplier: number;
  maximum_review_interval: number;
  minimum_lapse_interval: number;
  graduating_interval_good: number;
  graduating_interval_easy: number;
  new_card_insert_order: number;
  new_card_gather_priority: number;
  new_card_sort_order: number;
  new_mix: number;
  review_order: number;
  interday_learning_mix: number;
  leech_action: number;
  leech_threshold: number;
  disable_autoplay: boolean;
  cap_answer_time_to_secs: number;
  show_timer: boolean;
  stop_timer_on_answer: boolean;
  seconds_to_show_question: number;
  seconds_to_show_answer: number;
  question_action: number;
  answer_action: number;
  wait_for_audio: boolean;
  skip_question_when_replaying_answer: boolean;
  bury_new: boolean;
  bury_reviews: boolean;
  bury_interday_learning: boolean;
  desired_retention: number;
  ignore_revlogs_before_date: string;
  easy_days_percentages: number[];
  historical_retention: number;
  param_search: string;
  other: Uint8Array;
}

/** A typed codec for one message. */
export interface BlobCodec<T> {
  readonly typeName: string;
  decode(bytes: Uint8Array): T;
  encode(message: T): Uint8Array;
  /** The message with every field at its default (what an empty blob decodes to). */
  empty(): T;
}

export class ProtoDecodeError extends Error {
  constructor(typeName: string, cause: unknown) {
    super(`cannot decode ${typeName}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProtoDecodeError';
  }
}

function codec<T>(typeName: string): BlobCodec<T> {
  let type: protobuf.Type | undefined;
  const resolve = (): protobuf.Type => (type ??= loadRoot().lookupType(typeName));
  return {
    typeName,
    decode(bytes) {
      const t = resolve();
      let message: protobuf.Message;
      try {
        message = t.decode(bytes);
      } catch (error) {
        throw new ProtoDecodeError(typeName, error);
      }
      return fromProtobufjs(t, t.toObject(message, TO_OBJECT)) as T;
    },
    encode(message) {
      const t = resolve();
      return t.encode(toProtobufjs(t, message as Record<string, unknown>)).finish();
    },
    empty() {
      const t = resolve();
      return fromProtobufjs(t, t.toObject(t.decode(new Uint8Array(0)), TO_OBJECT)) as T;
    },
  };
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: Uint8Array,
  defaults: true,
  arrays: true,
  oneofs: false,
};

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

// protobufjs hands int64 out as decimal strings (longs: String) and takes Long
// instances; our objects carry bigint. A bigint given straight to protobufjs
// would be encoded as 0, so every int64 goes through these two walkers.
function fromProtobufjs(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    if (INT64_TYPES.has(field.type)) {
      object[field.name] = field.repeated ? (value as string[]).map((v) => BigInt(v)) : BigInt(value as string);
    } else if (field.resolvedType instanceof protobuf.Type) {
      const nested = field.resolvedType;
      object[field.name] = field.repeated
        ? (value as Record<string, unknown>[]).map((v) => fromProtobufjs(nested, v))
        : fromProtobufjs(nested, value as Record<string, unknown>);
    } else if (value instanceof Uint8Array && !(value.constructor === Uint8Array)) {
      object[field.name] = new Uint8Array(value);
    }
  }
  return object;
}

function toProtobufjs(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    if (INT64_TYPES.has(field.type)) {
      out[field.name] = field.repeated ? (value as unknown[]).map(toLong) : toLong(value);
    } else if (field.resolvedType instanceof protobuf.Type) {
      const nested = field.resolvedType;
      out[field.name] = field.repeated
        ? (value as Record<string, unknown>[]).map((v) => toProtobufjs(nested, v))
        : toProtobufjs(nested, value as Record<string, unknown>);
    } else {
      out[field.name] = value;
    }
  }
  return out;
}

interface LongStatics {
  fromString(text: string): protobuf.Long;
  fromNumber(value: number): protobuf.Long;
}

function toLong(value: unknown): protobuf.Long {
  const Long = protobuf.util.Long as unknown as LongStatics | null;
  if (!Long) throw new Error('protobufjs is missing its "long" dependency');
  if (typeof value === 'bigint') return Long.fromString(BigInt.asIntN(64, value).toString());
  if (typeof value === 'number' && Number.isSafeInteger(value)) return Long.fromNumber(value);
  throw new TypeError(`not an int64: ${String(value)}`);
}

export const notetypeConfigCodec = codec<NotetypeConfig>('anki.notetypes.Notetype.Config');
export const fieldConfigCodec = codec<FieldConfig>('anki.notetypes.Notetype.Field.Config');
export const templateConfigCodec = codec<TemplateConfig>('anki.notetypes.Notetype.Template.Config');
export const deckCommonCodec = codec<DeckCommon>('anki.decks.Deck.Common');
export const deckConfigConfigCodec = codec<DeckConfigConfig>('anki.deck_config.DeckConfig.Config');
const kindContainerCodec = codec<{ normal?: NormalDeck | null; filtered?: FilteredDeck | null }>('anki.decks.Deck.KindContainer');

export class MissingDeckKindError extends Error {
  constructor() {
    super('deck kind blob holds neither a normal nor a filtered deck');
    this.name = 'MissingDeckKindError';
  }
}

/** decks.kind: KindContainer, whose oneof must hold one of the two. */
export const deckKindCodec: BlobCodec<DeckKind> = {
  typeName: kindContainerCodec.typeName,
  decode(bytes) {
    const container = kindContainerCodec.decode(bytes);
    if (container.normal) return { normal: container.normal };
    if (container.filtered) return { filtered: container.filtered };
    throw new MissingDeckKindError();
  },
  encode(kind) {
    return kindContainerCodec.encode(kind.normal ? { normal: kind.normal } : { filtered: kind.filtered });
  },
  empty() {
    return { normal: codec<NormalDeck>('anki.decks.Deck.Normal').empty() };
  },
};

/** Every codec by message name, for tests and tools that walk all blobs. */
export const blobCodecs = {
  notetypeConfigCodec,
  fieldConfigCodec,
  templateConfigCodec,
  deckCommonCodec,
  deckKindCodec,
  deckConfigConfigCodec,
} as const;

/** The loaded protobufjs root (for tests comparing against protobuf text dumps). */
export function protoRoot(): protobuf.Root {
  return loadRoot();
}
