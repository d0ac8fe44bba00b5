// The one place a media filename sent by a client becomes a path on disk.
//
// Media files live flat in `<user>/media/` under their NFC names, exactly as the
// official server stores them, so a name must be a single, harmless path
// component on every platform the server runs on (Linux, macOS, Windows).
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BadRequestError } from '../errors.js';

/** The server's limit; clients limit themselves to 120. */
export const MAX_MEDIA_FILENAME_BYTES = 255;

// Names Windows maps to devices whatever the extension: `aux.jpg` opens AUX.
// The superscript digits are devices too on current Windows.
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$)(\.|$)/i;
// C0 controls and DEL: clients strip them; NUL ends a path in C.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
// Characters Windows refuses in a name (`:` would open an NTFS stream) and
// trailing dots or spaces, which Windows silently drops (`a.jpg.` is `a.jpg`).
const WINDOWS_FORBIDDEN = /[<>:"|?*]|[. ]$/;
// A UTF-16 surrogate without its pair has no UTF-8 form: the name on disk would
// differ from the name in the database.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `name` cannot name a file in a media folder, or null when it can. These are
 * the rules that keep every read and write inside the folder; names already in
 * a media database (possibly written by the official server) must pass them.
 */
export function unsafeMediaFilenameReason(name: string, platform: NodeJS.Platform = process.platform): string | null {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (CONTROL_CHARACTER.test(name)) return 'contains NUL or a control character';
  if (LONE_SURROGATE.test(name)) return 'is not valid Unicode';
  if (platform === 'win32') {
    if (WINDOWS_DEVICE_NAME.test(name)) return 'is a reserved Windows device name';
    if (WINDOWS_FORBIDDEN.test(name)) return 'is not a valid Windows file name';
  }
  return null;
}

/**
 * Why the server refuses to store a new file called `name`, or null. Stricter than
 * unsafeMediaFilenameReason: the protocol's NFC and 255-byte rules, and device names
 * on every platform, since a data folder may later move to a Windows machine.
 */
export function invalidNewMediaFilenameReason(name: string): string | null {
  const unsafe = unsafeMediaFilenameReason(name);
  if (unsafe !== null) return unsafe;
  if (WINDOWS_DEVICE_NAME.test(name)) return 'is a reserved Windows device name';
  if (Buffer.byteLength(name, 'utf8') > MAX_MEDIA_FILENAME_BYTES) return `longer than ${MAX_MEDIA_FILENAME_BYTES} bytes`;
  if (name.normalize('NFC') !== name) return 'not in Unicode NFC';
  return null;
}

/** The path of media file `name` inside `mediaFolder`; 400 if the name is not a safe single component. */
export function mediaFilePath(mediaFolder: string, name: string): string {
  const reason = unsafeMediaFilenameReason(name);
  if (reason !== null) throw new BadRequestError(`media filename ${JSON.stringify(name)}: ${reason}`);
  return join(mediaFolder, name);
}

/**
 * Whether `folder` is on a file system that ignores case (Windows, and macOS by
 * default), where `A.jpg` and `a.jpg` are one file. Found by creating a probe
 * file and looking for it under its upper-case name.
 */
export function folderIgnoresCase(folder: string): boolean {
  const probe = join(folder, `.case-probe-${randomBytes(6).toString('hex')}`);
  writeFileSync(probe, '', { flag: 'wx' });
  try {
    return existsSync(join(folder, probe.slice(folder.length + 1).toUpperCase()));
  } finally {
    unlinkSync(probe);
  }
}
