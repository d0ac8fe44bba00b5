// The collections a full upload replaced, newest first, in
// SYNC_BASE/<user>/backups/: a full upload from a stale device can be undone.
import { copyFile, link, readdir, rm } from 'node:fs/promises';
import { makeFolder, syncFile, syncFolder } from '../storage/durable.js';
import { join } from 'node:path';

export const BACKUPS_KEPT = 5;
const BACKUP_NAME = /^collection-\d{8}-\d{6}-\d{3}(-\d+)?\.anki2$/;

function stamp(date: Date): string {
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}-${p(date.getUTCMilliseconds(), 3)}`
  );
}

/**
 * Keeps `collection` (a closed, checkpointed file) under backups/. A hard link
 * is instant and costs no space until the original is replaced; a copy is the
 * fallback on file systems without links.
 */
export async function backUpCollection(collection: string, backupsFolder: string, now = new Date()): Promise<string> {
  await makeFolder(backupsFolder);
  const taken = new Set(await readdir(backupsFolder));
  let name = `collection-${stamp(now)}.anki2`;
  for (let n = 2; taken.has(name); n++) name = `collection-${stamp(now)}-${n}.anki2`;
  const target = join(backupsFolder, name);
  try {
    await link(collection, target);
  } catch {
    await copyFile(collection, target);
    await syncFile(target);
  }
  // The backup's name is durable before the collection it keeps is replaced.
  await syncFolder(backupsFolder);
  return target;
}

/** A file this server named as a backup (files we did not name are never removed). */
export function isBackupName(name: string): boolean {
  return BACKUP_NAME.test(name);
}

/** Backup names, newest first: the stamp sorts by time; a -N suffix sorts after its base name. */
export function newestFirst(names: readonly string[]): string[] {
  return [...names].sort((a, b) => backupOrderKey(b).localeCompare(backupOrderKey(a)));
}

/** Removes all but the newest `keep` backups; files we did not name are left alone. */
export async function pruneBackups(backupsFolder: string, keep = BACKUPS_KEPT): Promise<void> {
  const names = newestFirst((await readdir(backupsFolder)).filter(isBackupName));
  for (const name of names.slice(keep)) await rm(join(backupsFolder, name), { force: true });
}

function backupOrderKey(name: string): string {
  const match = /^collection-(\d{8}-\d{6}-\d{3})(?:-(\d+))?\.anki2$/.exec(name)!;
  return `${match[1]}-${(match[2] ?? '1').padStart(6, '0')}`;
}
