// Which account names the app accepts. A name becomes a folder under the storage
// folder (storage/user-paths.ts has the final word on that) and is typed on
// phones, so it also stays short and free of stray spaces.

import { userFolderKey, usernameProblem } from '../server/index.js';
import { AppError } from './errors.js';

export const MAX_NAME_LENGTH = 32;

export function validateUserName(raw: string): string {
  const name = raw.trim().normalize('NFC');
  if (name === '') throw new AppError('bad-name', 'Please type a name for the account.');
  if ([...name].length > MAX_NAME_LENGTH) {
    throw new AppError('bad-name', `That name is too long. Use at most ${MAX_NAME_LENGTH} characters.`);
  }
  const problem = usernameProblem(name);
  if (problem !== null) throw new AppError('bad-name', `"${name}" can't be used as an account name: ${problem}.`);
  return name;
}

/** Whether two names would share a folder on Windows or macOS (case, Unicode form). */
export function sameName(a: string, b: string): boolean {
  return userFolderKey(a) === userFolderKey(b);
}

export function validatePassword(password: string): string {
  if (password.length === 0) throw new AppError('bad-password', 'Please type a password.');
  if (password.length > 1024) throw new AppError('bad-password', 'That password is too long.');
  // A leading or trailing space is almost always a paste accident, and devices would then fail to log in.
  if (password !== password.trim()) {
    throw new AppError('bad-password', 'The password starts or ends with a space. Please type it again without the space.');
  }
  return password;
}
