// The TypeScript types of the protobuf blobs in a schema-18 collection, as the
// codec (proto-codec.ts) hands them out: every field present with its proto3
// default, int64 as bigint, enums as numbers, a proto3 `optional` scalar
// undefined when absent, a message field null when absent. They are derived
// from proto/anki-proto.d.ts, which protobufjs-cli generates from proto/*.proto
// (scripts/gen-proto-types.mjs), so a field added to a .proto file appears here
// without anyone writing it twice.
import type Long from 'long';
import type { anki } from '../../../proto/anki-proto.js';

/** A field's value once decoded: null and Long gone, int64 as bigint, enums as numbers, nested messages complete. */
type Decoded<T> = DecodedValue<Exclude<T, null | undefined>>;
// Each test is on a one-element tuple, so that a union such as `number | Long` is judged whole.
type DecodedValue<V> = [V] extends [Uint8Array]
  ? Uint8Array
  : [V] extends [(infer E)[]]
    ? Decoded<E>[]
    : [Long] extends [V]
      ? bigint
      : [V] extends [number]
        ? number
        : [V] extends [string | boolean]
          ? V
          : [V] extends [object]
            ? DecodedProperties<V>
            : never;

type Fields<C> = { [K in keyof C as K extends '$unknowns' ? never : C[K] extends (...args: never[]) => unknown ? never : K]: C[K] };

/** A nested message's properties (pbts's `$Properties`, all optional there): every field present. */
type DecodedProperties<P> = { -readonly [K in keyof Fields<P>]-?: Decoded<Fields<P>[K]> };

type MessageKeys<C> = {
  [K in keyof Fields<C>]-?: Exclude<Fields<C>[K], null | undefined> extends Uint8Array | Long | unknown[]
    ? never
    : Exclude<Fields<C>[K], null | undefined> extends object
      ? K
      : never;
}[keyof Fields<C>];

/**
 * A message as decoded, from its pbts class: a message-typed field is present
 * and null when absent; a scalar keeps the class's `?` exactly where the .proto
 * says `optional`.
 */
type Message<C> = { [K in keyof Fields<C> as K extends MessageKeys<C> ? never : K]: Decoded<Fields<C>[K]> } & {
  [K in MessageKeys<C>]-?: Decoded<Fields<C>[K]> | null;
};

/** A flattened view, so editors and errors show the fields rather than the mapped types. */
type Flat<T> = { [K in keyof T]: T[K] };

/** anki.notetypes.Notetype.Config (notetypes.config) */
export type NotetypeConfig = Flat<Message<anki.notetypes.Notetype.Config>>;
/** anki.notetypes.Notetype.Config.CardRequirement; kind 0 none, 1 any, 2 all */
export type CardRequirement = NotetypeConfig['reqs'][number];
/** anki.notetypes.Notetype.Field.Config (fields.config) */
export type FieldConfig = Flat<Message<anki.notetypes.Notetype.Field.Config>>;
/** anki.notetypes.Notetype.Template.Config (templates.config) */
export type TemplateConfig = Flat<Message<anki.notetypes.Notetype.Template.Config>>;
/** anki.decks.Deck.Common (decks.common) */
export type DeckCommon = Flat<Message<anki.decks.Deck.Common>>;
/** anki.decks.Deck.Normal */
export type NormalDeck = Flat<Message<anki.decks.Deck.Normal>>;
/** anki.decks.Deck.Normal.DayLimit */
export type DayLimit = Exclude<NormalDeck['review_limit_today'], null>;
/** anki.decks.Deck.Filtered */
export type FilteredDeck = Flat<Message<anki.decks.Deck.Filtered>>;
/** anki.decks.Deck.Filtered.SearchTerm */
export type FilteredSearchTerm = FilteredDeck['search_terms'][number];
/** anki.decks.Deck.KindContainer (decks.kind): exactly one of the two is set. */
export type DeckKind = { normal: NormalDeck; filtered?: undefined } | { filtered: FilteredDeck; normal?: undefined };
/** anki.deck_config.DeckConfig.Config (deck_config.config) */
export type DeckConfigConfig = Flat<Message<anki.deck_config.DeckConfig.Config>>;
/** anki.import_export.PackageMetadata (a collection package's `meta` member) */
export type PackageMetadata = Flat<Message<anki.import_export.PackageMetadata>>;
type AllMediaEntries = Flat<Message<anki.import_export.MediaEntries>>;
/**
 * anki.import_export.MediaEntries.MediaEntry. Its legacy_zip_filename is `optional` in the .proto
 * and undefined when absent, which the nested-message mapping above cannot say.
 */
export type PackageMediaEntry = Flat<Omit<AllMediaEntries['entries'][number], 'legacy_zip_filename'> & { legacy_zip_filename?: number }>;
/** anki.import_export.MediaEntries (a collection package's `media` member, since version Latest) */
export type MediaEntries = { entries: PackageMediaEntry[] };
