// PHC password hashes accepted in PASSWORDS_HASHED mode. The official server
// verifies `pbkdf2-sha256` and `pbkdf2-sha512` with params `i` and `l` only; we
// also accept `argon2id`. Every string is parsed when the server starts, so a
// typo is reported with its variable's name instead of failing a login later.
// Other algorithm ids that are well-formed PHC (e.g. `pbkdf2`, which is
// SHA-1) are kept and never verify, exactly as with the official server.
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';

const pbkdf2Async = promisify(pbkdf2);

/** PHC "B64": the standard alphabet without padding. */
const B64 = /^[A-Za-z0-9+/]+$/;
const PHC_ID = /^[a-z0-9-]{1,32}$/;

export type ParsedPhc =
  | {
      readonly algorithm: 'pbkdf2-sha256' | 'pbkdf2-sha512';
      readonly digest: 'sha256' | 'sha512';
      readonly rounds: number;
      readonly salt: Buffer;
      readonly hash: Buffer;
    }
  | { readonly algorithm: 'argon2id'; readonly phc: string; readonly memoryKib: number; readonly iterations: number }
  /** Well-formed, but the official server would never verify it either. */
  | { readonly algorithm: 'unsupported'; readonly id: string };

export class PhcFormatError extends Error {}

function decodeB64(text: string, what: string): Buffer {
  if (!B64.test(text) || text.length % 4 === 1) throw new PhcFormatError(`${what} is not unpadded base64`);
  return Buffer.from(text, 'base64');
}

function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new PhcFormatError(`parameter "${pair}" is not name=value`);
    const name = pair.slice(0, eq);
    if (params.has(name)) throw new PhcFormatError(`parameter ${name} appears twice`);
    params.set(name, pair.slice(eq + 1));
  }
  return params;
}

function positiveInteger(value: string | undefined, what: string, max: number): number {
  if (value === undefined || !/^[0-9]{1,10}$/.test(value)) throw new PhcFormatError(`${what} must be a positive integer`);
  const n = Number(value);
  if (n < 1 || n > max) throw new PhcFormatError(`${what} must be between 1 and ${max}`);
  return n;
}

export function parsePhc(phc: string): ParsedPhc {
  const parts = phc.split('$');
  if (parts[0] !== '' || parts.length < 2) throw new PhcFormatError('a PHC string starts with $<algorithm>');
  const id = parts[1]!;
  if (!PHC_ID.test(id)) throw new PhcFormatError(`"${id}" is not a PHC algorithm id`);
  if (id === 'pbkdf2-sha256' || id === 'pbkdf2-sha512') return parsePbkdf2(id, parts);
  if (id === 'argon2id') return parseArgon2id(phc, parts);
  return { algorithm: 'unsupported', id };
}

function parsePbkdf2(id: 'pbkdf2-sha256' | 'pbkdf2-sha512', parts: string[]): ParsedPhc {
  if (parts.length !== 5) throw new PhcFormatError(`expected $${id}$i=<rounds>[,l=<length>]$<salt>$<hash>`);
  const params = parseParams(parts[2]!);
  for (const name of params.keys()) {
    if (name !== 'i' && name !== 'l') throw new PhcFormatError(`${id} takes only the parameters i and l, not ${name}`);
  }
  const rounds = positiveInteger(params.get('i'), 'i (rounds)', 0xffff_ffff);
  // The official verifier's salt is 4..64 B64 characters.
  if (parts[3]!.length < 4 || parts[3]!.length > 64) throw new PhcFormatError('the salt must be 4 to 64 characters');
  const salt = decodeB64(parts[3]!, 'the salt');
  const hash = decodeB64(parts[4]!, 'the hash');
  // Without `l`, the official verifier derives 32 bytes, so only a 32-byte hash can ever match.
  const length = params.has('l') ? positiveInteger(params.get('l'), 'l (length)', 64) : 32;
  if (hash.length !== length) throw new PhcFormatError(`the hash is ${hash.length} bytes, but l is ${length}`);
  return { algorithm: id, digest: id === 'pbkdf2-sha256' ? 'sha256' : 'sha512', rounds, salt, hash };
}

function parseArgon2id(phc: string, parts: string[]): ParsedPhc {
  // $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>; the version segment is optional in PHC.
  const hasVersion = parts.length === 6;
  if (parts.length !== 5 && !hasVersion) throw new PhcFormatError('expected $argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>');
  if (hasVersion && parts[2] !== 'v=19' && parts[2] !== 'v=16') throw new PhcFormatError('argon2id version must be v=19 or v=16');
  const params = parseParams(parts[hasVersion ? 3 : 2]!);
  for (const name of params.keys()) {
    if (name !== 'm' && name !== 't' && name !== 'p') throw new PhcFormatError(`argon2id takes m, t and p, not ${name}`);
  }
  const memory = positiveInteger(params.get('m'), 'm (memory KiB)', 4 * 1024 * 1024);
  const iterations = positiveInteger(params.get('t'), 't (iterations)', 1_000_000);
  const lanes = positiveInteger(params.get('p'), 'p (parallelism)', 255);
  if (memory < 8 * lanes) throw new PhcFormatError('m must be at least 8 × p');
  const salt = decodeB64(parts[hasVersion ? 4 : 3]!, 'the salt');
  if (salt.length < 8) throw new PhcFormatError('the salt must decode to at least 8 bytes');
  const hash = decodeB64(parts[hasVersion ? 5 : 4]!, 'the hash');
  if (hash.length < 4) throw new PhcFormatError('the hash must decode to at least 4 bytes');
  return { algorithm: 'argon2id', phc, memoryKib: memory, iterations };
}

export async function verifyPhc(parsed: ParsedPhc, password: string): Promise<boolean> {
  switch (parsed.algorithm) {
    case 'pbkdf2-sha256':
    case 'pbkdf2-sha512': {
      const derived = await pbkdf2Async(Buffer.from(password, 'utf8'), parsed.salt, parsed.rounds, parsed.hash.length, parsed.digest);
      return timingSafeEqual(derived, parsed.hash);
    }
    case 'argon2id':
      try {
        return await argon2.verify(parsed.phc, password);
      } catch {
        return false;
      }
    case 'unsupported':
      return false;
  }
}

/** The algorithms `anki-home-sync hash-password` writes. */
export type HashAlgorithm = 'argon2id' | 'pbkdf2-sha256';

/**
 * PBKDF2-SHA256 rounds for new hashes: OWASP's figure for it. The official
 * server verifies whatever `i` a hash names.
 */
export const PBKDF2_ROUNDS = 600_000;

function unpaddedB64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/**
 * A new PHC hash of `password`: argon2id with the argon2 library's defaults
 * (what the app stores), or pbkdf2-sha256 (i=600000, l=32, a 16-byte salt) in
 * the form the official server verifies.
 */
export async function hashPassword(password: string, algorithm: HashAlgorithm): Promise<string> {
  if (algorithm === 'argon2id') return argon2.hash(password, { type: argon2.argon2id });
  const salt = randomBytes(16);
  const hash = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, PBKDF2_ROUNDS, 32, 'sha256');
  return `$pbkdf2-sha256$i=${PBKDF2_ROUNDS},l=32$${unpaddedB64(salt)}$${unpaddedB64(hash)}`;
}
