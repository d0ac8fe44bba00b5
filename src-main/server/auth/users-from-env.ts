// SYNC_USER1, SYNC_USER2, … exactly as the official server reads them: stop at
// the first missing index, split each value on its first `:`, derive the host
// key from the whole value, and treat the rest as a PHC hash when
// PASSWORDS_HASHED is set (to anything at all). A line of SYNC_USERS_FILE
// (users-file.ts) is read by the same rules, so an account moved between the two
// keeps its host key and devices stay logged in.
import type { UserAccount } from '../config/config.js';
import { deriveHostKey } from './host-key.js';
import { parsePhc, PhcFormatError } from './phc.js';

/** A mistake in an account's setting. The message names where it is and never holds the password or hash. */
export class UserConfigError extends Error {}

export interface UsersFromEnv {
  readonly users: UserAccount[];
  /** Accounts that load but can never log in, as with the official server. */
  readonly warnings: string[];
}

/**
 * One `username:password` (or `username:<PHC hash>` when hashed) value; `where`
 * names it in messages (`SYNC_USER2`, `SYNC_USERS_FILE line 3`).
 */
export function parseUserValue(value: string, hashed: boolean, where: string): { user: UserAccount; warning: string | null } {
  const colon = value.indexOf(':');
  if (colon < 0) throw new UserConfigError(`${where} should be in 'username:password' format.`);
  const name = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  let warning: string | null = null;
  if (hashed) {
    try {
      const parsed = parsePhc(rest);
      if (parsed.algorithm === 'unsupported') {
        warning =
          `${where}: "${parsed.id}" hashes are not supported (use pbkdf2-sha256, pbkdf2-sha512 or argon2id); ` +
          `${name} cannot log in, as with the official server.`;
      }
    } catch (error) {
      if (!(error instanceof PhcFormatError)) throw error;
      throw new UserConfigError(
        `${where}: PASSWORDS_HASHED is set, but the part after the first ':' is not a valid password hash: ${error.message}.`,
      );
    }
  }
  const user: UserAccount = {
    name,
    secret: hashed ? { kind: 'phc', phc: rest } : { kind: 'plain', password: rest },
    hostKey: deriveHostKey(value),
  };
  return { user, warning };
}

export function passwordsHashed(env: NodeJS.ProcessEnv): boolean {
  return env['PASSWORDS_HASHED'] !== undefined;
}

/** SYNC_USERn; at least SYNC_USER1 unless `required` is false (SYNC_USERS_FILE gives the accounts). */
export function usersFromEnv(env: NodeJS.ProcessEnv, options: { required?: boolean } = {}): UsersFromEnv {
  const hashed = passwordsHashed(env);
  const users: UserAccount[] = [];
  const warnings: string[] = [];
  for (let idx = 1; ; idx++) {
    const variable = `SYNC_USER${idx}`;
    const value = env[variable];
    if (value === undefined) break;
    const { user, warning } = parseUserValue(value, hashed, variable);
    users.push(user);
    if (warning !== null) warnings.push(warning);
  }
  if (users.length === 0 && options.required !== false) {
    throw new UserConfigError('No users defined; SYNC_USER1 env var should be set (or SYNC_USERS_FILE).');
  }
  return { users, warnings };
}
