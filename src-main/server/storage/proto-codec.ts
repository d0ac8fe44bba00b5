// The protobuf blobs of a schema-18 collection, read and written with
// protobufjs from our own declarations in proto/. Their TypeScript types are
// in proto-types.ts.
//
// The .proto files are loaded at run time (protobufjs `loadSync`) rather than
// compiled to static code: the files are short, they load once per process in a few milliseconds, and the field
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
import type {
  DeckCommon,
  DeckConfigConfig,
  DeckKind,
  FieldConfig,
  FilteredDeck,
  MediaEntries,
  NormalDeck,
  PackageMetadata,
  NotetypeConfig,
  TemplateConfig,
} from './proto-types.js';

const PROTO_DIR = fileURLToPath(new URL('../../../../proto/', import.meta.url));
const PROTO_FILES = ['notetypes.proto', 'decks.proto', 'deck_config.proto', 'import_export.proto'];

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
/** A collection package's `meta` and `media` members (rslib/src/import_export/package/meta.rs, media.rs). */
export const packageMetadataCodec = codec<PackageMetadata>('anki.import_export.PackageMetadata');
export const mediaEntriesCodec = codec<MediaEntries>('anki.import_export.MediaEntries');
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
