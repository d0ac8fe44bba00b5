// Checking a password against one account's secret. Plain passwords are
// compared as SHA-256 digests with timingSafeEqual, so the comparison takes the
// same time whatever the lengths and contents.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PasswordSecret } from '../config/config.js';
import { parsePhc, verifyPhc, type ParsedPhc } from './phc.js';

/** A secret prepared once, when the users are loaded. */
export type PreparedSecret = { readonly kind: 'plain'; readonly digest: Buffer } | { readonly kind: 'phc'; readonly parsed: ParsedPhc };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Throws PhcFormatError for a malformed PHC string. */
export function prepareSecret(secret: PasswordSecret): PreparedSecret {
  return secret.kind === 'plain' ? { kind: 'plain', digest: sha256(secret.password) } : { kind: 'phc', parsed: parsePhc(secret.phc) };
}

export async function passwordMatches(secret: PreparedSecret, password: string): Promise<boolean> {
  if (secret.kind === 'plain') return timingSafeEqual(sha256(password), secret.digest);
  return verifyPhc(secret.parsed, password);
}

/**
 * Roughly how long verifying against `secret` takes, in microseconds on a
 * typical machine: enough to tell which configured hash is the most expensive
 * (pbkdf2 rounds ≈ 1 µs each; argon2id ≈ 1 µs per KiB and iteration).
 */
export function verificationCost(secret: PreparedSecret): number {
  if (secret.kind === 'plain') return 0;
  const phc = secret.parsed;
  switch (phc.algorithm) {
    case 'pbkdf2-sha256':
    case 'pbkdf2-sha512':
      return phc.rounds * (phc.digest === 'sha512' ? 1.5 : 1) * Math.ceil(phc.hash.length / (phc.digest === 'sha512' ? 64 : 32));
    case 'argon2id':
      return phc.memoryKib * phc.iterations;
    case 'unsupported':
      return 0;
  }
}
