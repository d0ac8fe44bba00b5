// The app's log file, <userData>/logs/anki-home-sync.log: the technical details
// (stack traces, server lines) that the window never shows. Started afresh when
// it grows past a few megabytes, so it never fills a disk.

import { app } from 'electron';
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Logger } from '../server/log.js';

const MAX_BYTES = 5 * 1024 * 1024;

export interface AppLog {
  /** For the controller: a message and an optional error. */
  note: (message: string, error?: unknown) => void;
  /** For the SyncServer. */
  readonly server: Logger;
  readonly path: string;
}

export function openLogFile(): AppLog {
  const folder = join(app.getPath('userData'), 'logs');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'anki-home-sync.log');
  const write = (level: string, text: string): void => {
    const line = `${new Date().toISOString()} ${level} ${text}\n`;
    try {
      if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) renameSync(path, `${path}.old`);
      appendFileSync(path, line);
    } catch {
      // Logging must never break the app.
    }
    if (level !== 'info') process.stderr.write(line);
  };
  const fields = (f?: Readonly<Record<string, unknown>>) =>
    f
      ? ' ' +
        Object.entries(f)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : inspect(v)}`)
          .join(' ')
      : '';
  return {
    path,
    note: (message, error) =>
      write(error === undefined ? 'info' : 'error', error === undefined ? message : `${message}: ${inspect(error)}`),
    server: {
      info: (message, f) => write('info', message + fields(f)),
      warn: (message, f) => write('warn', message + fields(f)),
      error: (message, f) => write('error', message + fields(f)),
    },
  };
}
