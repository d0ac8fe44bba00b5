// Where each user's data lives: SYNC_BASE/<username>/, laid out as the official
// server lays it out (docs/protocol/transport-auth-media.md §2.7, §4.1), so a data folder can move
// between it and us. The username becomes a folder name, so it is checked here
// against every operating system the app runs on before any path is built; the
// official server does not check, and a name like "../x" or "CON" would put a
// learner's collection somewhere unexpected, or nowhere.

import { basename, dirname, join, resolve } from 'node:path';
import { makeFolderSync } from './durable.js';

/** A username that cannot be used as a folder name. Raised at start-up, naming the user. */
export class UnsafeUsernameError extends Error {
  constructor(
    readonly username: string,
    readonly reason: string,
  ) {
    super(`The username ${JSON.stringify(username)} cannot be used as a folder name: ${reason}.`);
    this.name = 'UnsafeUsernameError';
  }
}

/**
 * Well under the 255-byte name limit of ext4, APFS and NTFS, leaving room for
 * the rest of the path on Windows, whose classic limit is 260 characters.
 */
export const MAX_USERNAME_BYTES = 128;

/** Names Windows reserves for devices, with or without an extension (`con.txt` is the console too). */
const WINDOWS_DEVICE_NAMES = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  'CONIN$',
  'CONOUT$',
  ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '¹', '²', '³'].flatMap((n) => [`COM${n}`, `LPT${n}`]),
]);

/** Characters Windows refuses in file names; `/` and `\` separate paths everywhere that matters. */
const FORBIDDEN_CHARACTERS = /[<>:"/\\|?*]/u;

/** C0 and C1 controls (NUL included), and the invisible bidi overrides that can disguise a name. */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** Why `name` is not a safe folder name, or null when it is. */
export function usernameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (userFolderKey(name) === SERVER_FOLDER) return `${SERVER_FOLDER} is the folder where the server keeps its own files`;
  if (name === '.' || name === '..') return 'it names the current or parent folder';
  if (/\p{Cs}/u.test(name)) return 'it is not valid Unicode';
  const control = CONTROL_CHARACTERS.exec(name);
  if (control) return `it contains the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const forbidden = FORBIDDEN_CHARACTERS.exec(name);
  if (forbidden) return `it contains ${JSON.stringify(forbidden[0])}, which Windows or macOS do not allow in folder names`;
  if (/[. ]$/u.test(name)) return 'it ends with a dot or a space, which Windows strips from folder names';
  // Windows ignores an extension and trailing spaces when matching device names: "aux .txt" is AUX.
  const stem = name.split('.')[0]!.replace(/ +$/u, '').toUpperCase();
  if (WINDOWS_DEVICE_NAMES.has(stem)) return `"${stem}" is a device name on Windows`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_USERNAME_BYTES) return `it is ${bytes} bytes long in UTF-8, more than the ${MAX_USERNAME_BYTES} allowed`;
  return null;
}

/** Throws UnsafeUsernameError unless `name` is a safe folder name. */
export function assertSafeUsername(name: string): void {
  const problem = usernameProblem(name);
  if (problem !== null) throw new UnsafeUsernameError(name, problem);
}

/**
 * The folder two usernames share on a case-insensitive or normalising file system
 * (Windows, macOS): "Alice" and "alice", or "é" composed and decomposed, are one folder there.
 */
export function userFolderKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * The server's own folder below SYNC_BASE: legacy request data that arrives
 * before its host key is spooled there, since no user folder is known yet.
 * No username may take this name.
 */
export const SERVER_FOLDER = '.anki-home-sync';

export function serverFolder(baseFolder: string): string {
  return join(resolve(baseFolder), SERVER_FOLDER);
}

/** Where one user's data lives. Built only here, from a validated name. */
export interface UserPaths {
  readonly folder: string;
  readonly collection: string;
  readonly mediaFolder: string;
  readonly mediaDb: string;
  /** Backups of the collections full uploads replaced, before issue 24: read and restored, no longer written. */
  readonly backups: string;
  /** The account's snapshots (storage/snapshots/). */
  readonly snapshots: string;
  /** Media files a sync deleted or replaced, by sha1, so a snapshot's media can come back (snapshots/media-trash.ts). */
  readonly mediaTrash: string;
}

/** The files and folders of one user, for a validated username. */
export function userPaths(baseFolder: string, username: string): UserPaths {
  assertSafeUsername(username);
  const base = resolve(baseFolder);
  const folder = join(base, username);
  // Belt and braces: the checks above already make this impossible.
  if (dirname(folder) !== base || basename(folder) !== username) {
    throw new UnsafeUsernameError(username, 'it does not name a folder directly inside SYNC_BASE');
  }
  return {
    folder,
    collection: join(folder, 'collection.anki2'),
    mediaFolder: join(folder, 'media'),
    mediaDb: join(folder, 'media.db'),
    backups: join(folder, 'backups'),
    snapshots: join(folder, 'snapshots'),
    mediaTrash: join(folder, 'media-trash'),
  };
}

/** Creates the user's folder and media folder, as the official server does at start-up, durably. */
export function createUserFolders(paths: UserPaths): void {
  makeFolderSync(paths.mediaFolder);
}
