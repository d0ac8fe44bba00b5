import { fail, type Where } from './legacy-json.js';

/** Object ids are numbers in our API; an id a double cannot hold is refused (400). */
export function safeId(value: bigint, where: Where): number {
  if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    fail(where, `id ${value} is outside the range this server stores exactly`);
  }
  return Number(value);
}
