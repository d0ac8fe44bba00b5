// The running server's control socket: SYNC_BASE/.anki-home-sync/control.sock,
// in a folder only its owner can enter (0700), the socket itself 0600, so only
// the same OS user (or root) can connect: Node cannot read a peer's
// credentials, so the folder's mode is the check. A socket left by a server
// that was killed is found (nobody answers on it) and replaced; one that still
// answers is left alone. Windows has no Unix socket here: the control socket is
// not offered there (see controlSocketPath).

import { chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { makeFolder } from '../server/index.js';
import {
  controlSocketPath,
  LineReader,
  MAX_SOCKET_PATH_BYTES,
  parseRequest,
  type ControlAnswer,
  type ControlFailure,
  type ControlRequest,
} from './control-protocol.js';

/** A request that sends nothing for this long is dropped. */
const IDLE_MS = 30_000;

export interface ControlHandlers {
  handle(request: ControlRequest): Promise<unknown>;
  /** The failure an error thrown by `handle` is told as. */
  failure(error: unknown): { reason: ControlFailure; message: string };
}

export class ControlSocketError extends Error {}

export interface ControlSocket {
  readonly path: string;
  close(): Promise<void>;
}

/** Whether a process answers on `path`: `none` (no file), `stale` (a file nobody listens on) or `live`. */
export function probeSocket(path: string): Promise<'none' | 'stale' | 'live'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve('none');
      // ECONNREFUSED: a socket file with nobody behind it; ENOTSOCK: something else took the name.
      else if (error.code === 'ECONNREFUSED' || error.code === 'ENOTSOCK') resolve('stale');
      else reject(error);
    });
  });
}

/**
 * Listens on the control socket of `baseFolder`. Resolves with null where there
 * is none (Windows); rejects with a ControlSocketError when it cannot listen.
 */
export async function openControlSocket(baseFolder: string, handlers: ControlHandlers): Promise<ControlSocket | null> {
  const path = controlSocketPath(baseFolder);
  if (path === null) return null;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new ControlSocketError(`the control socket's path is too long for a Unix socket (${path}); choose a shorter SYNC_BASE`);
  }
  const folder = dirname(path);
  await makeFolder(folder);
  // Made by an older version with the default mode: only this user may reach the socket.
  await chmod(folder, 0o700);
  const found = await probeSocket(path);
  if (found === 'live') throw new ControlSocketError(`another process already answers on ${path}`);
  if (found === 'stale') await unlink(path);
  const server = createServer((socket) => serve(socket, handlers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The folder already keeps others out; the socket's own mode says so too.
  await chmod(path, 0o600);
  return { path, close: () => closeServer(server, path) };
}

async function closeServer(server: Server, path: string): Promise<void> {
  // close() unlinks the socket file of a path it listened on; the unlink is for a server closed early.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await unlink(path).catch(() => undefined);
}

function serve(socket: Socket, handlers: ControlHandlers): void {
  let answered = false;
  const answer = (value: ControlAnswer): void => {
    if (answered) return;
    answered = true;
    socket.end(`${JSON.stringify(value)}\n`);
  };
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const reader = new LineReader(
    (line) => {
      if (answered) return;
      socket.setTimeout(0);
      const request = parseRequest(line);
      if (request === null) {
        answer({ ok: false, reason: 'bad-request', message: 'The server did not understand that request.' });
        return;
      }
      handlers.handle(request).then(
        (value) => answer({ ok: true, value: value ?? null }),
        (error: unknown) => answer({ ok: false, ...handlers.failure(error) }),
      );
    },
    () => answer({ ok: false, reason: 'bad-request', message: 'That request is too long.' }),
  );
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
}
