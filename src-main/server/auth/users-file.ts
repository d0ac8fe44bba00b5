// SYNC_USERS_FILE (ours): accounts in a file, one `username:password` line each
// (`username:<PHC hash>` with PASSWORDS_HASHED), read by the same rules as
// SYNC_USERn (users-from-env.ts), so a line's host key is the one the same
// SYNC_USERn value gives. Blank lines and lines starting with `#` are skipped.
// The file is read at start and again whenever it changes (users-file-watcher.ts);
// its accounts come after SYNC_USERn's, and no name may be in both.
//
// Messages name the file and the line, never the line's text: it holds a password.
import { readFileSync, statSync } from 'node:fs';
import type { UserAccount } from '../config/config.js';
import { checkUsernames } from './usernames.js';
import { parseUserValue, UserConfigError } from './users-from-env.js';

export const USERS_FILE_VARIABLE = 'SYNC_USERS_FILE';

/** Larger than any list of accounts: a file this big is the wrong file. */
const MAX_USERS_FILE_BYTES = 1024 * 1024;

export interface UsersFile {
  readonly path: string;
  /** PASSWORDS_HASHED: every line's secret is a PHC hash. */
  readonly hashed: boolean;
}

export interface UsersFromFile {
  readonly users: UserAccount[];
  /** Accounts that load but can never log in (a hash the official server cannot verify either). */
  readonly warnings: string[];
}

function readText(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new UserConfigError(`${USERS_FILE_VARIABLE} (${path}) cannot be read: ${reason(error)}.`);
  }
  if (size > MAX_USERS_FILE_BYTES) {
    throw new UserConfigError(
      `${USERS_FILE_VARIABLE} (${path}) is ${size} bytes, more than a list of accounts can be; is it the right file?`,
    );
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserConfigError(`${USERS_FILE_VARIABLE} (${path}) cannot be read: ${reason(error)}.`);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES') return 'permission denied (the server must be able to read it)';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return code ?? String(error);
}

/**
 * The file's accounts, checked against themselves and against `fixed` (the
 * SYNC_USERn accounts they join). Throws UserConfigError naming the first
 * problem; nothing is half-read.
 */
export function parseUsersFile(text: string, hashed: boolean, fixed: readonly UserAccount[]): UsersFromFile {
  const users: UserAccount[] = [];
  const lineNumbers: number[] = [];
  const warnings: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const where = `${USERS_FILE_VARIABLE} line ${index + 1}`;
    const { user, warning } = parseUserValue(line, hashed, where);
    users.push(user);
    lineNumbers.push(index + 1);
    if (warning !== null) warnings.push(warning);
  }
  const names = [...fixed, ...users].map((user) => user.name);
  const problem = checkUsernames(names, (index) =>
    index < fixed.length ? `SYNC_USER${index + 1}` : `${USERS_FILE_VARIABLE} line ${lineNumbers[index - fixed.length]}`,
  );
  if (problem !== null) throw new UserConfigError(problem);
  return { users, warnings };
}

/** Reads the file now; see parseUsersFile. */
export function readUsersFile(file: UsersFile, fixed: readonly UserAccount[]): UsersFromFile {
  return parseUsersFile(readText(file.path), file.hashed, fixed);
}
