// The temporary files the server makes inside a user's folder while a request
// runs: a spooled upload (and the SQLite side files its check leaves, or the
// `.part` of a legacy form), a legacy download's schema-11 copy, a
// collection's image copied while another reader held its WAL, a new
// collection being built, a copy of a replaced collection made whole for its
// backup. One naming for all, so that start-up can remove whatever a crash
// left, whatever its suffix, and nothing else.
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export type SpoolKind = 'upload' | 'download' | 'image' | 'backup' | 'restore';

/** `upload-<16 hex>.tmp`, `download-…`, `image-…`, `backup-…`, `restore-…` (a snapshot being restored): then any suffix SQLite or a decoder adds. */
const LEFTOVER = /^(?:(?:upload|download|image|backup|restore)-[0-9a-f]{16}\.tmp|collection\.anki2\.creating-)/;

/** A fresh path for a temporary file of `kind` in `folder`; nothing exists there yet. */
export function spoolPath(folder: string, kind: SpoolKind): string {
  return join(folder, `${kind}-${randomBytes(8).toString('hex')}.tmp`);
}

export function isSpoolLeftover(name: string): boolean {
  return LEFTOVER.test(name);
}

/** Removes every spool file in `folder` (at start-up, when no request can be using one); returns their names. */
export async function removeSpoolLeftovers(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter(isSpoolLeftover);
  for (const name of names) await rm(join(folder, name), { recursive: true, force: true });
  return names;
}
