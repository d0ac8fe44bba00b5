// The control socket's protocol: one JSON request per line, one JSON answer per
// line, then the connection closes. Tiny on purpose: the headless commands
// (`snapshots …`, `export --snapshot`) ask the running server to do what must
// happen under an account's lock, and nothing else travels here.

import { join } from 'node:path';
import { SERVER_FOLDER } from '../server/index.js';

/** The socket's name inside SYNC_BASE/.anki-home-sync/ (a folder only its owner can enter). */
export const CONTROL_SOCKET_NAME = 'control.sock';

/**
 * A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS,
 * the terminating NUL included): a longer one cannot be listened on.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

/** A request or an answer longer than this is refused: nothing here needs more. */
export const MAX_LINE_BYTES = 64 * 1024;

export type ControlRequest =
  | { readonly command: 'snapshots-list'; readonly user: string }
  | { readonly command: 'snapshots-take'; readonly user: string }
  | { readonly command: 'snapshots-restore'; readonly user: string; readonly id: string }
  /** The snapshot's collection written to `target` (a path the asking process chose) and its media files. */
  | { readonly command: 'snapshots-extract'; readonly user: string; readonly id: string; readonly target: string };

export type ControlCommand = ControlRequest['command'];

/** Why a request failed: a snapshot's own reasons, or the control socket's. */
export type ControlFailure =
  'no-such-snapshot' | 'damaged' | 'no-such-account' | 'no-room' | 'storage-missing' | 'bad-request' | 'server-error';

export type ControlAnswer =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: ControlFailure; readonly message: string };

/** Where the server of `baseFolder` listens; null where there is no Unix socket (Windows). */
export function controlSocketPath(baseFolder: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  return join(baseFolder, SERVER_FOLDER, CONTROL_SOCKET_NAME);
}

/** The request in `line`, or null when it is not one this protocol knows. */
export function parseRequest(line: string): ControlRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const text = (key: string): string | null => (typeof r[key] === 'string' && r[key] !== '' ? r[key] : null);
  const user = text('user');
  if (user === null) return null;
  switch (r['command']) {
    case 'snapshots-list':
    case 'snapshots-take':
      return { command: r['command'], user };
    case 'snapshots-restore': {
      const id = text('id');
      return id === null ? null : { command: 'snapshots-restore', user, id };
    }
    case 'snapshots-extract': {
      const id = text('id');
      const target = text('target');
      return id === null || target === null ? null : { command: 'snapshots-extract', user, id, target };
    }
    default:
      return null;
  }
}

/** Reads lines of at most MAX_LINE_BYTES from a stream's chunks; `onLine` gets each whole line. */
export class LineReader {
  private buffered = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffered += chunk.toString('utf8');
    for (;;) {
      const end = this.buffered.indexOf('\n');
      if (end < 0) break;
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      this.onLine(line);
    }
    if (Buffer.byteLength(this.buffered) > MAX_LINE_BYTES) {
      this.buffered = '';
      this.onTooLong();
    }
  }
}
