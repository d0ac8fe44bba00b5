// The positional JSON forms of docs/protocol/collection-sync.md §6.3.4 and the small objects
// that travel next to them. Parsing is strict where the reference's parser is
// strict (a card with an unknown queue is a 400) and lenient where it is
// lenient (floats truncated, an unknown revlog type read as 0).
import { isJsonObject, type JsonObject } from '../../json.js';
import { BadRequestError } from '../../errors.js';
import { requestJsonObject } from '../../json-body.js';
import { requireSessionKey, type SyncRequest } from '../../protocol.js';
import { I32_MAX, I32_MIN, strictInt, tupleOf, U32_MAX } from '../../values.js';
import { parseCard, type CardTuple } from './cards.js';
import { parseNote, type NoteTuple } from './notes.js';
import { parseRevlog, type RevlogTuple } from './revlog.js';
import { decodeChanges, parseUnchunkedChanges, type DecodedChanges } from './changes.js';

export interface Graves {
  cards: number[];
  decks: number[];
  notes: number[];
}

export interface Chunk {
  done: boolean;
  revlog?: RevlogTuple[];
  cards?: CardTuple[];
  notes?: NoteTuple[];
}

/** [[new, learn, review], cards, notes, revlog, graves, notetypes, decks, deck_configs] */
export type SanityCounts = [[number, number, number], number, number, number, number, number, number, number];

/**
 * Longest lists accepted, far above what clients send (the reference sends at
 * most 250 graves per applyGraves and 250 rows per chunk), so that a hostile
 * request is refused before it costs anything to apply. A legacy `start`
 * carries every pending grave at once, so it gets a cap of its own.
 */
export const MAX_GRAVES_PER_REQUEST = 25_000;
export const MAX_LEGACY_START_GRAVES = 2_000_000;
export const MAX_CHUNK_ROWS = 5_000;

function fail(what: string): never {
  throw new BadRequestError(`invalid ${what}`);
}

function idList(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) fail(what);
  return value.map((id) => strictInt(id, what));
}

function refuseOverLimit(graves: Graves, limit: number, what: string): Graves {
  if (graves.cards.length + graves.notes.length + graves.decks.length > limit) fail(`${what}: more than ${limit} ids`);
  return graves;
}

function checkLength(value: unknown, limit: number, what: string): void {
  if (Array.isArray(value) && value.length > limit) fail(`${what}: more than ${limit} entries`);
}

/** Graves with numeric ids (applyGraves). */
export function parseGraves(value: unknown, limit = MAX_GRAVES_PER_REQUEST): Graves {
  if (!isJsonObject(value)) fail('graves');
  for (const key of ['cards', 'decks', 'notes'] as const) checkLength(value[key], limit, `grave ${key}`);
  return refuseOverLimit(
    {
      cards: idList(value.cards, 'grave card ids'),
      decks: idList(value.decks, 'grave deck ids'),
      notes: idList(value.notes, 'grave note ids'),
    },
    limit,
    'graves',
  );
}

function stringIdList(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) fail(what);
  return value.map((id) => {
    if (typeof id !== 'string' || !/^[+-]?\d+$/.test(id)) fail(what);
    const parsed = BigInt(id);
    if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) fail(what);
    return Number(parsed);
  });
}

/**
 * The `graves` key of `start`: absent or null (current clients), numeric ids
 * (old AnkiDroid) or decimal strings (old AnkiMobile).
 */
export function parseLegacyGraves(value: unknown): Graves | null {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) fail('start graves');
  for (const key of ['cards', 'decks', 'notes'] as const) checkLength(value[key], MAX_LEGACY_START_GRAVES, `start graves ${key}`);
  const allStrings = [value.cards, value.decks, value.notes].every(
    (list) => Array.isArray(list) && list.every((id) => typeof id === 'string'),
  );
  if (allStrings) {
    return refuseOverLimit(
      {
        cards: stringIdList(value.cards, 'grave card ids'),
        decks: stringIdList(value.decks, 'grave deck ids'),
        notes: stringIdList(value.notes, 'grave note ids'),
      },
      MAX_LEGACY_START_GRAVES,
      'start graves',
    );
  }
  return parseGraves(value, MAX_LEGACY_START_GRAVES);
}

function optionalList<T>(value: unknown, parse: (item: unknown) => T, what: string): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(what);
  checkLength(value, MAX_CHUNK_ROWS, what);
  return value.map(parse);
}

/** A chunk; a missing `done` is false, missing arrays are empty. */
export function parseChunk(value: unknown): Chunk {
  if (!isJsonObject(value)) fail('chunk');
  const done = value.done === undefined ? false : value.done;
  if (typeof done !== 'boolean') fail('chunk done');
  const chunk: Chunk = { done };
  const revlog = optionalList(value.revlog, parseRevlog, 'chunk revlog');
  const cards = optionalList(value.cards, parseCard, 'chunk cards');
  const notes = optionalList(value.notes, parseNote, 'chunk notes');
  if (revlog) chunk.revlog = revlog;
  if (cards) chunk.cards = cards;
  if (notes) chunk.notes = notes;
  return chunk;
}

export function parseSanityCounts(value: unknown): SanityCounts {
  const t = tupleOf(value, 8, 'sanity counts');
  const due = tupleOf(t[0], 3, 'sanity due counts');
  const u32 = (v: unknown) => strictInt(v, 'sanity count', 0, U32_MAX);
  return [[u32(due[0]), u32(due[1]), u32(due[2])], u32(t[1]), u32(t[2]), u32(t[3]), u32(t[4]), u32(t[5]), u32(t[6]), u32(t[7])];
}

/** The single named member of a request object, e.g. `{"chunk": …}`. */
export function member(body: unknown, key: string): unknown {
  if (!isJsonObject(body) || !(key in body)) fail(`request: missing "${key}"`);
  return body[key];
}

// The request bodies of the collection methods (docs/protocol/collection-sync.md §3),
// read as the reference's request types are (rslib/src/sync/collection/*.rs:
// MetaRequest, StartRequest, ApplyGravesRequest, ApplyChangesRequest,
// ApplyChunkRequest, SanityCheckRequest, EmptyInput). The method table hands
// each parser to the pipeline with its handler.

/** `meta`: `{"v": sync version, "cv": client version}`. */
export interface MetaInput {
  readonly syncVersion: number;
  readonly clientVersion: string;
}

export function parseMetaRequest(request: SyncRequest): MetaInput {
  const { v, cv } = requestJsonObject(request.body);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255 || typeof cv !== 'string') {
    throw new BadRequestError('invalid json: meta needs v (0..255) and cv');
  }
  return { syncVersion: v, clientVersion: cv };
}

/** `start`: the session key (`s`), `minUsn`, `lnewer`, and the graves some old clients send along. */
export interface StartInput {
  readonly sessionKey: string;
  readonly minUsn: number;
  readonly clientIsNewer: boolean;
  readonly legacyGraves: Graves | null;
}

export function parseStartRequest(request: SyncRequest): StartInput {
  const sessionKey = requireSessionKey(request);
  const body = requestJsonObject(request.body);
  const minUsn = strictInt(member(body, 'minUsn'), 'start minUsn', I32_MIN, I32_MAX);
  const lnewer = member(body, 'lnewer');
  if (typeof lnewer !== 'boolean') throw new BadRequestError('start: lnewer must be a boolean');
  return { sessionKey, minUsn, clientIsNewer: lnewer, legacyGraves: parseLegacyGraves(body.graves) };
}

/** `applyGraves`: `{"chunk": graves}`. */
export function parseApplyGravesRequest(request: SyncRequest): Graves {
  return parseGraves(member(requestJsonObject(request.body), 'chunk'));
}

/** `applyChanges`: `{"changes": …}`, read losslessly so that i64 ids in notetypes and config survive. */
export function parseApplyChangesRequest(request: SyncRequest): DecodedChanges {
  const body = requestJsonObject(request.body) as JsonObject;
  return decodeChanges(parseUnchunkedChanges(body.changes));
}

/** `applyChunk`: `{"chunk": …}`. */
export function parseApplyChunkRequest(request: SyncRequest): Chunk {
  return parseChunk(member(requestJsonObject(request.body), 'chunk'));
}

/** `sanityCheck2`: `{"client": counts}`. */
export function parseSanityCheckRequest(request: SyncRequest): SanityCounts {
  return parseSanityCounts(member(requestJsonObject(request.body), 'client'));
}

/** EmptyInput (`chunk`, `finish`, `abort`, `download`): `{}`, `{"_pad":null}`, or an empty legacy `data`. */
export function parseEmptyRequest(request: SyncRequest): null {
  requestJsonObject(request.body);
  return null;
}
