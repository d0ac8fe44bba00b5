// `anki-home-sync snapshots list|take|restore USER [ID]` and `anki-home-sync
// export USER FILE.colpkg --snapshot ID [--legacy]` (issue 24). Each works
// whether the server runs or not: while one runs on this SYNC_BASE, through its
// control socket (control/), so a restore happens under the account's lock and
// the server knows; otherwise on the files alone (offlineSnapshots).

import { resolve } from 'node:path';
import {
  baseFolderFromEnv,
  CONFIG_SCHEMA,
  ConfigError,
  ExportError,
  exportUnpackedCollection,
  formatBytes,
  offlineSnapshots,
  SnapshotError,
  type SnapshotEntry,
} from './server/index.js';
import { askServer, ControlRequestError, runningServerSocket } from './control/control-client.js';
import type { SnapshotListing } from './control/snapshot-control.js';
import { SNAPSHOT_KIND_WORDS } from './shared/snapshot-words.js';

const USAGE = [
  'usage: anki-home-sync snapshots list USER',
  '       anki-home-sync snapshots take USER',
  '       anki-home-sync snapshots restore USER ID',
  '       anki-home-sync export USER FILE.colpkg --snapshot ID [--legacy]',
].join('\n');

class UsageError extends Error {}

/** One account's snapshots, through the running server or on the files. */
interface SnapshotAccess {
  /** How the command reached them, said once under its output. */
  readonly through: string;
  list(): Promise<SnapshotListing>;
  take(): Promise<SnapshotEntry>;
  restore(id: string): Promise<SnapshotEntry>;
  /** The snapshot's collection written to `target`, and its media files. */
  extract(id: string, target: string): Promise<{ name: string; path: string }[]>;
}

/** SYNC_BASE as the server reads it, and the second copy's folder. */
function snapshotSettings(env: NodeJS.ProcessEnv): { baseFolder: string; snapshotDir: string | null } {
  const dir = env[CONFIG_SCHEMA.snapshotDir.env];
  return { baseFolder: baseFolderFromEnv(env), snapshotDir: dir === undefined || dir.trim() === '' ? null : resolve(dir) };
}

async function accessFor(env: NodeJS.ProcessEnv, user: string): Promise<SnapshotAccess> {
  const settings = snapshotSettings(env);
  const socket = await runningServerSocket(settings.baseFolder);
  if (socket !== null) {
    return {
      through: 'through the running server',
      list: async () => (await askServer(socket, { command: 'snapshots-list', user })) as SnapshotListing,
      take: async () => (await askServer(socket, { command: 'snapshots-take', user })) as SnapshotEntry,
      restore: async (id) => (await askServer(socket, { command: 'snapshots-restore', user, id })) as SnapshotEntry,
      extract: async (id, target) =>
        (await askServer(socket, { command: 'snapshots-extract', user, id, target })) as { name: string; path: string }[],
    };
  }
  const snapshots = offlineSnapshots(settings, user);
  return {
    through: `no server is running on ${settings.baseFolder}, so this command worked on its files`,
    list: async () => ({ entries: await snapshots.list(), spaceBytes: await snapshots.spaceBytes() }),
    take: () => snapshots.take(),
    restore: (id) => snapshots.restore(id),
    extract: async (id, target) => {
      await snapshots.extractCollection(id, target);
      return snapshots.mediaFiles(id);
    },
  };
}

/** "2026-12-07 05:00", local time: unambiguous, and sorts as it reads. */
export function formatWhen(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function count(n: number | null): string {
  return n === null ? '–' : n.toLocaleString('en');
}

/** "1,234 notes, 2,345 cards, 10,000 reviews", or less where a count is not known. */
export function describeCounts(entry: SnapshotEntry): string {
  const parts: string[] = [];
  const add = (n: number | null, one: string, many: string): void => {
    if (n !== null) parts.push(`${n.toLocaleString('en')} ${n === 1 ? one : many}`);
  };
  add(entry.notes, 'note', 'notes');
  add(entry.cards, 'card', 'cards');
  add(entry.revlog, 'review', 'reviews');
  return parts.length === 0 ? 'counts not read' : parts.join(', ');
}

/** The table `snapshots list` prints: one snapshot a line, newest first. */
export function snapshotTable(entries: readonly SnapshotEntry[]): string[] {
  const header = ['ID', 'Taken', 'Kind', 'Notes', 'Cards', 'Reviews', 'Size'];
  const rows = entries.map((e) => [
    e.id,
    formatWhen(e.takenAt),
    SNAPSHOT_KIND_WORDS[e.kind],
    count(e.notes),
    count(e.cards),
    count(e.revlog),
    formatBytes(e.bytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Words to the left, numbers to the right.
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

async function list(access: SnapshotAccess, user: string): Promise<string[]> {
  const { entries, spaceBytes } = await access.list();
  if (entries.length === 0) return [`${user} has no snapshots yet. One is taken after a sync that changes the collection.`];
  const n = entries.length === 1 ? '1 snapshot' : `${entries.length} snapshots`;
  return [`${user} has ${n}, taking ${formatBytes(spaceBytes)} in all (media kept for them included).`, '', ...snapshotTable(entries)];
}

async function take(access: SnapshotAccess, user: string): Promise<string[]> {
  const entry = await access.take();
  return [
    `Took a snapshot of ${user}'s collection: ${entry.id}, ${formatWhen(entry.takenAt)}, ${describeCounts(entry)}, ${formatBytes(entry.bytes)}.`,
  ];
}

async function restore(access: SnapshotAccess, user: string, id: string): Promise<string[]> {
  const restored = (await access.list()).entries.find((e) => e.id === id);
  const kept = await access.restore(id);
  const what = restored === undefined ? `snapshot ${id}` : `the snapshot of ${formatWhen(restored.takenAt)} (${describeCounts(restored)})`;
  return [
    `Restored ${user}'s collection and media to ${what}.`,
    'At their next sync, devices will be asked to choose between Upload and Download: choose Download on each.',
    `The collection it replaced is kept as snapshot ${kept.id}. To undo this restore:`,
    `  anki-home-sync snapshots restore ${user} ${kept.id}`,
  ];
}

function needArgs(args: readonly string[], names: readonly string[]): string[] {
  if (args.length !== names.length) {
    throw new UsageError(
      args.length < names.length ? `${names[args.length]} is missing` : `unexpected ${JSON.stringify(args[names.length])}`,
    );
  }
  return [...args];
}

/** A failure as the sentence the command prints; anything unexpected keeps its own message. */
function sentence(error: unknown): string | null {
  if (error instanceof UsageError) return `${error.message}\n${USAGE}`;
  if (
    error instanceof SnapshotError ||
    error instanceof ControlRequestError ||
    error instanceof ExportError ||
    error instanceof ConfigError
  )
    return error.message;
  return null;
}

async function runCommand(work: () => Promise<string[]>): Promise<number> {
  try {
    process.stdout.write(`${(await work()).join('\n')}\n`);
    return 0;
  } catch (error) {
    const said = sentence(error);
    process.stderr.write(`anki-home-sync: ${said ?? (error instanceof Error ? error.message : String(error))}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** `anki-home-sync snapshots …`; resolves with the exit status. */
export function snapshotsCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(async () => {
    const [verb, ...rest] = args;
    switch (verb) {
      case 'list': {
        const [user] = needArgs(rest, ['USER']);
        const access = await accessFor(env, user!);
        return [...(await list(access, user!)), '', `(${access.through})`];
      }
      case 'take': {
        const [user] = needArgs(rest, ['USER']);
        const access = await accessFor(env, user!);
        return [...(await take(access, user!)), `(${access.through})`];
      }
      case 'restore': {
        const [user, id] = needArgs(rest, ['USER', 'ID']);
        const access = await accessFor(env, user!);
        return [...(await restore(access, user!, id!)), `(${access.through})`];
      }
      default:
        throw new UsageError(verb === undefined ? 'say what to do with the snapshots' : `unknown command ${JSON.stringify(verb)}`);
    }
  });
}

/** `export`'s arguments when they name a snapshot: USER FILE --snapshot ID [--legacy], in any order after USER FILE. */
function exportArgs(args: readonly string[]): { user: string; file: string; id: string; legacy: boolean } {
  const plain: string[] = [];
  let id: string | null = null;
  let legacy = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--legacy') legacy = true;
    else if (arg === '--snapshot') {
      id = args[++i] ?? null;
      if (id === null) throw new UsageError('--snapshot needs the ID of a snapshot (see "anki-home-sync snapshots list USER")');
    } else if (arg.startsWith('--snapshot=')) id = arg.slice('--snapshot='.length);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    else plain.push(arg);
  }
  const [user, file] = needArgs(plain, ['USER', 'FILE.colpkg']);
  if (id === null || id === '') throw new UsageError('--snapshot needs the ID of a snapshot');
  return { user: user!, file: resolve(file!), id, legacy };
}

/** Whether `export`'s arguments name a snapshot (then this module runs it). */
export function exportNamesSnapshot(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--snapshot' || arg.startsWith('--snapshot='));
}

/** `anki-home-sync export USER FILE.colpkg --snapshot ID [--legacy]`; resolves with the exit status. */
export function exportSnapshotCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(async () => {
    const { user, file, id, legacy } = exportArgs(args);
    const access = await accessFor(env, user);
    // The snapshot's collection is written here, by the server when one runs (the same OS user), then packed.
    const written = await exportUnpackedCollection((collection) => access.extract(id, collection), file, { legacy });
    return [
      `Wrote ${user}'s snapshot ${id} to ${file}: ${written.notes.toLocaleString('en')} notes, ${written.cards.toLocaleString('en')} cards, ` +
        `${written.mediaFiles.toLocaleString('en')} media files, ${formatBytes(written.bytes)}.`,
      legacy
        ? 'Open it in Anki older than 2.1.50 with File → Import; it replaces the collection there.'
        : 'Open it in Anki with File → Import; it replaces the collection there.',
      `(${access.through})`,
    ];
  });
}
