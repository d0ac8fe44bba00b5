// Which account names the app accepts. A name becomes a folder under the storage
// folder and is typed on phones, so it stays short, plain and unambiguous on
// case-insensitive file systems (Windows, macOS).

import { AppError } from './errors.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_NAME_LENGTH = 32;
// Names Windows will not create as folders.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function validateUserName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new AppError('bad-name', 'Please type a name for the account.');
  if (name.length > MAX_NAME_LENGTH) {
    throw new AppError('bad-name', `"${name.slice(0, 40)}…" is too long. Use at most ${MAX_NAME_LENGTH} characters.`);
  }
  if (!NAME_PATTERN.test(name) || name.endsWith('.') || RESERVED.test(name)) {
    throw new AppError(
      'bad-name',
      `"${name}" can't be used as an account name. Use letters, digits, dots, dashes or underscores, starting with a letter or digit.`,
    );
  }
  return name;
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function validatePassword(password: string): string {
  if (password.length === 0) throw new AppError('bad-password', 'Please type a password.');
  if (password.length > 1024) throw new AppError('bad-password', 'That password is too long.');
  // Anki's login joins name and password with ':' in the official server's env
  // format; the app has no such limit, but a leading/trailing space is almost
  // always a paste accident.
  if (password !== password.trim()) {
    throw new AppError('bad-password', 'The password starts or ends with a space. Please type it again without the space.');
  }
  return password;
}
