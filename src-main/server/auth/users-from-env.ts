// SYNC_USER1, SYNC_USER2, … exactly as the official server reads them: stop at
// the first missing index, split each value on its first `:`, derive the host
// key from the whole value, and treat the rest as a PHC hash when
// PASSWORDS_HASHED is set (to anything at all).
import type { UserAccount } from '../config.js';
import { deriveHostKey } from './host-key.js';
import { parsePhc, PhcFormatError } from './phc.js';

export class UserConfigError extends Error {}

export interface UsersFromEnv {
  readonly users: UserAccount[];
  /** Accounts that load but can never log in, as with the official server. */
  readonly warnings: string[];
}

export function usersFromEnv(env: NodeJS.ProcessEnv): UsersFromEnv {
  const hashed = env['PASSWORDS_HASHED'] !== undefined;
  const users: UserAccount[] = [];
  const warnings: string[] = [];
  for (let idx = 1; ; idx++) {
    const variable = `SYNC_USER${idx}`;
    const value = env[variable];
    if (value === undefined) break;
    const colon = value.indexOf(':');
    if (colon < 0) throw new UserConfigError(`${variable} should be in 'username:password' format.`);
    const name = value.slice(0, colon);
    const rest = value.slice(colon + 1);
    if (hashed) {
      try {
        const parsed = parsePhc(rest);
        if (parsed.algorithm === 'unsupported') {
          warnings.push(
            `${variable}: "${parsed.id}" hashes are not supported (use pbkdf2-sha256, pbkdf2-sha512 or argon2id); ` +
              `${name} cannot log in, as with the official server.`,
          );
        }
      } catch (error) {
        if (!(error instanceof PhcFormatError)) throw error;
        throw new UserConfigError(
          `${variable}: PASSWORDS_HASHED is set, but the part after the first ':' is not a valid password hash: ${error.message}.`,
        );
      }
    }
    users.push({
      name,
      secret: hashed ? { kind: 'phc', phc: rest } : { kind: 'plain', password: rest },
      hostKey: deriveHostKey(value),
    });
  }
  if (users.length === 0) throw new UserConfigError('No users defined; SYNC_USER1 env var should be set.');
  return { users, warnings };
}
