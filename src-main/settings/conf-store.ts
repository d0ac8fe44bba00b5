// The SettingsStore over a Conf instance: `conf` itself in tests and headless
// runs, electron-store (a Conf subclass) in the app. Both write through
// writeFileDurablySync: Conf's own writer (the `atomically` package) fsyncs the
// file but not its folder, so a power cut could bring back the settings from
// before an account was added; and it ignores a short write, so on a full disk
// a truncated file could replace the good one.

import { existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeFolderSync, writeFileDurablySync } from '../server/index.js';
import Conf from 'conf';
import { sanitizeSettings, type AppSettings, type SettingsStore } from './settings.js';

export const SETTINGS_FILE_NAME = 'settings';

/** The minimal surface of Conf this adapter needs, so electron-store fits too. */
export interface ConfLike {
  readonly store: Record<string, unknown>;
  set(object: Record<string, unknown>): void;
  readonly path: string;
}

/** The part of Conf's internals that writes the file (Conf 15, and electron-store over it). */
interface ConfWriter {
  _write(value: unknown): void;
  _serialize(value: unknown): string;
}

function writeDurably(conf: ConfLike): void {
  const writer = conf as unknown as ConfWriter;
  if (typeof writer._write !== 'function' || typeof writer._serialize !== 'function') {
    throw new Error('the settings store has no _write/_serialize to make durable; check the conf version');
  }
  writer._write = (value: unknown) => {
    makeFolderSync(dirname(conf.path));
    writeFileDurablySync(conf.path, writer._serialize(value));
  };
}

export function settingsFromConf(conf: ConfLike): SettingsStore {
  writeDurably(conf);
  return {
    read: () => sanitizeSettings(conf.store),
    update: (patch: Partial<AppSettings>) => conf.set({ ...patch }),
    get path() {
      return conf.path;
    },
  };
}

/**
 * Opens `<folder>/settings.json` with `open`. A file that is not JSON is set
 * aside as `settings.json.unreadable-<time>` (never deleted) and a fresh one is
 * started, so a damaged file cannot keep the server from starting.
 */
export function openRecovering<T>(folder: string, open: () => T, now = Date.now()): T {
  try {
    return open();
  } catch (error) {
    const file = join(folder, `${SETTINGS_FILE_NAME}.json`);
    if (!(error instanceof SyntaxError) || !existsSync(file)) throw error;
    renameSync(file, `${file}.unreadable-${now}`);
    return open();
  }
}

/** A file-backed store at `<folder>/settings.json`. */
export function createConfSettings(folder: string): SettingsStore {
  const conf = openRecovering(
    folder,
    () => new Conf<Record<string, unknown>>({ cwd: folder, configName: SETTINGS_FILE_NAME, projectName: 'anki-home-sync' }),
  );
  return settingsFromConf(conf);
}
