// The value parsers and integer casts that the wire rows (collection/sync-data/)
// and the legacy JSON objects (storage/objects/legacy-json.ts) share, so that a
// number read or cast as the reference's Rust types do is written once.
import { BadRequestError } from './errors.js';

export const I32_MIN = -(2 ** 31);
export const I32_MAX = 2 ** 31 - 1;
export const U32_MAX = 2 ** 32 - 1;

function invalid(what: string): never {
  throw new BadRequestError(`invalid ${what}`);
}

/** A JSON integer within [min, max]; floats are refused, like serde's integer types. */
export function strictInt(value: unknown, what: string, min = -(2 ** 63), max = 2 ** 63 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) invalid(what);
  return value;
}

/** A JSON number read as an integer: floats truncated (serde's `deserialize_int_from_number`). */
export function truncatedInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(what);
  return Math.trunc(value);
}

export function stringOf(value: unknown, what: string): string {
  if (typeof value !== 'string') invalid(what);
  return value;
}

/** A JSON array of exactly `length` elements (a row's positional form). */
export function tupleOf(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) invalid(what);
  return value;
}

/** Rust `as` from an integer to i32: keeps the low 32 bits (ToInt32 is exact for any integral double). */
export function wrapI32(value: number): number {
  return value | 0;
}

/** Rust `as` from an integer to an unsigned type of `bits`: keeps the low bits. */
export function wrapUnsigned(value: number, bits: 8 | 16 | 32): number {
  return bits === 32 ? value >>> 0 : value & (2 ** bits - 1);
}

/** i64 → u32 as the reference's FromI64 does: negatives become 0, then the low 32 bits. */
export function clampU32(value: number): number {
  return value <= 0 ? 0 : wrapUnsigned(value, 32);
}

/** Rust `as` from an f32 to an unsigned integer of `bits`: truncates, saturates, NaN is 0. */
export function saturatingUnsigned(value: number, bits: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  const max = 2 ** bits - 1;
  return value >= max ? max : Math.trunc(value);
}
