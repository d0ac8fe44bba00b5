// Reading the legacy JSON objects (notetypes, decks, deck configs) with the
// same leniency as the reference's serde definitions (rslib/src/*/schema11.rs),
// and the `other` mechanism that carries the keys we do not map.
//
// Each reader names the serde behaviour it mirrors:
//  - required: a missing key or a value of the wrong type is an error;
//  - withDefault: a missing key gives the default, a wrong type is an error;
//  - orDefault (serde `default_on_invalid`): a wrong type gives the default, and
//    the key must still be present unless the field also has a default.
// An error is an InvalidLegacyObjectError, a 400: the reference refuses such
// an object too, and nothing of it is stored.

import { BadRequestError } from '../../errors.js';
import { isJsonObject, jsonBytes, parseJsonBytes, type JsonObject, type JsonValue } from '../../json.js';

export class InvalidLegacyObjectError extends BadRequestError {}

export type JsonInt = number | bigint;

/** Where a value came from, for error messages: e.g. `notetype 1234 field 2`. */
export type Where = string;

export function fail(where: Where, what: string): never {
  throw new InvalidLegacyObjectError(`${where}: ${what}`);
}

export function expectObject(value: unknown, where: Where): JsonObject {
  if (!isJsonObject(value)) fail(where, 'expected a JSON object');
  return value;
}

/** Missing means absent or undefined; JSON null is a value (of the wrong type for most fields). */
export function has(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
}

const Invalid = Symbol('invalid');
type Parsed<T> = T | typeof Invalid;

// ---- value parsers: return Invalid instead of throwing ------------------------

/**
 * Thrown when an integer arrives as a JS number too large to be exact: the JSON
 * was parsed with JSON.parse instead of json.ts parseJson, and the value may
 * already be rounded. A server bug (500), never silently stored.
 */
export class PrecisionLostError extends Error {
  constructor(value: number) {
    super(`integer ${value} lost precision: parse legacy JSON with parseJson (server/json.ts)`);
    this.name = 'PrecisionLostError';
  }
}

function integral(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw new PrecisionLostError(value);
    return BigInt(value);
  }
  return undefined;
}

function inRange(value: JsonValue | undefined, min: bigint, max: bigint): Parsed<number> {
  const n = integral(value);
  return n !== undefined && n >= min && n <= max ? Number(n) : Invalid;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export const parse = {
  i64: (value: JsonValue | undefined): Parsed<bigint> => {
    const n = integral(value);
    return n !== undefined && n >= I64_MIN && n <= I64_MAX ? n : Invalid;
  },
  /** serde_aux deserialize_number_from_string: a number or a string holding one */
  i64FromString: (value: JsonValue | undefined): Parsed<bigint> => {
    if (typeof value === 'string') {
      if (!/^[+-]?[0-9]+$/.test(value)) return Invalid;
      const n = BigInt(value);
      return n >= I64_MIN && n <= I64_MAX ? n : Invalid;
    }
    return parse.i64(value);
  },
  i32: (value: JsonValue | undefined) => inRange(value, -(2n ** 31n), 2n ** 31n - 1n),
  u32: (value: JsonValue | undefined) => inRange(value, 0n, 2n ** 32n - 1n),
  u16: (value: JsonValue | undefined) => inRange(value, 0n, 65535n),
  u8: (value: JsonValue | undefined) => inRange(value, 0n, 255n),
  f32: (value: JsonValue | undefined): Parsed<number> => {
    if (typeof value === 'number') return Math.fround(value);
    if (typeof value === 'bigint') return Math.fround(Number(value));
    return Invalid;
  },
  bool: (value: JsonValue | undefined): Parsed<boolean> => (typeof value === 'boolean' ? value : Invalid),
  /** serde_aux deserialize_bool_from_anything */
  boolFromAnything: (value: JsonValue | undefined): Parsed<boolean> => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (Number(value) === 1) return true;
      if (Number(value) === 0) return false;
      return Invalid;
    }
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
    }
    return Invalid;
  },
  string: (value: JsonValue | undefined): Parsed<string> => (typeof value === 'string' ? value : Invalid),
  f32Array: (value: JsonValue | undefined): Parsed<number[]> => {
    if (!Array.isArray(value)) return Invalid;
    const out: number[] = [];
    for (const item of value) {
      const f = parse.f32(item);
      if (f === Invalid) return Invalid;
      out.push(f);
    }
    return out;
  },
  /** Option<T>: null is None */
  optional:
    <T>(inner: (value: JsonValue | undefined) => Parsed<T>) =>
    (value: JsonValue | undefined): Parsed<T | undefined> =>
      value === null ? undefined : inner(value),
};

export type Parser<T> = (value: JsonValue | undefined) => Parsed<T>;

/** Required key, strict type. */
export function required<T>(obj: JsonObject, key: string, parser: Parser<T>, where: Where): T {
  if (!has(obj, key)) fail(where, `missing field "${key}"`);
  const value = parser(obj[key]);
  if (value === Invalid) fail(where, `invalid value for "${key}"`);
  return value;
}

/** serde(default): missing gives the default, a present value must be valid. */
export function withDefault<T>(obj: JsonObject, key: string, parser: Parser<T>, fallback: T, where: Where): T {
  if (!has(obj, key)) return fallback;
  const value = parser(obj[key]);
  if (value === Invalid) fail(where, `invalid value for "${key}"`);
  return value;
}

/**
 * serde default_on_invalid: any present value that does not parse gives the
 * default. `mustBePresent` is true when the field has no serde(default).
 */
export function orDefault<T>(obj: JsonObject, key: string, parser: Parser<T>, fallback: T, where: Where, mustBePresent = false): T {
  if (!has(obj, key)) {
    if (mustBePresent) fail(where, `missing field "${key}"`);
    return fallback;
  }
  const value = parser(obj[key]);
  return value === Invalid ? fallback : value;
}

export { Invalid };

// ---- the `other` mechanism ------------------------------------------------------

/**
 * The keys of `obj` that are not in `known`, as the bytes of a JSON object
 * (empty when there are none), the way the reference fills `other = 255`.
 */
export function otherBytes(obj: JsonObject, known: ReadonlySet<string>): Uint8Array {
  const other = otherKeys(obj, known);
  return Object.keys(other).length === 0 ? new Uint8Array(0) : new Uint8Array(jsonBytes(other));
}

export function otherKeys(obj: JsonObject, known: ReadonlySet<string>): JsonObject {
  const other: JsonObject = {};
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (!known.has(key) && value !== undefined) defineKey(other, key, value);
  }
  return other;
}

/**
 * An `other` blob back to keys, minus `reserved`: a stored key that collides
 * with a mapped one must never override it. Unreadable bytes give no keys, as in
 * the reference.
 */
export function parseOther(bytes: Uint8Array, reserved: ReadonlySet<string>): JsonObject {
  if (bytes.length === 0) return {};
  let parsed: JsonValue;
  try {
    parsed = parseJsonBytes(bytes);
  } catch {
    return {};
  }
  if (!isJsonObject(parsed)) return {};
  const out: JsonObject = {};
  for (const key of Object.keys(parsed)) if (!reserved.has(key)) defineKey(out, key, parsed[key]!);
  return out;
}

/** Appends `extra` keys that `target` does not already have. */
export function appendOther(target: JsonObject, extra: JsonObject): void {
  for (const key of Object.keys(extra)) if (!has(target, key)) defineKey(target, key, extra[key]!);
}

// defineProperty so that a key named "__proto__" stays a plain data key
export function defineKey(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---- numbers going out ----------------------------------------------------------

/**
 * The shortest decimal that reads back as the same f32, as Rust's serde_json
 * writes an f32 (1.3, not 1.2999999523162842).
 */
export function f32Json(value: number): number {
  if (!Number.isFinite(value)) return value;
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}

/** An i64 for JSON: a number when exact, else a bigint (see json.ts). */
export function i64Json(value: bigint): JsonInt {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
