// The app's log file, <userData>/logs/anki-home-sync.log: the technical details
// (stack traces, server lines) that the window never shows. Started afresh when
// it grows past a few megabytes, so it never fills a disk.

import { app } from 'electron';
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { logFields, safeLogText, type Logger } from '../server/index.js';

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
  return {
    path,
    note: (message, error) =>
      write(error === undefined ? 'info' : 'error', error === undefined ? message : `${message}: ${inspect(error).replace(/\n/g, '\n  ')}`),
    server: {
      // Server lines carry text from clients: escaped and capped (server/report/log.ts).
      info: (message, f) => write('info', safeLogText(message) + logFields(f)),
      warn: (message, f) => write('warn', safeLogText(message) + logFields(f)),
      error: (message, f) => write('error', safeLogText(message) + logFields(f)),
    },
  };
}
