// Port validation, and the words for a server that cannot start: a port or a
// folder another program holds.

import { AppError } from './errors.js';
import { APP_PORT_MIN, CertificateError, CONFIG_SCHEMA } from '../server/index.js';

const PORT_MAX = CONFIG_SCHEMA.port.kind.max;

export function validatePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > PORT_MAX) {
    throw new AppError(
      'bad-port',
      `"${String(port)}" is not a port number. Use a whole number from ${APP_PORT_MIN} to ${PORT_MAX}, such as 8080.`,
    );
  }
  if (port < APP_PORT_MIN) {
    throw new AppError(
      'bad-port',
      `Port ${port} needs administrator rights on most computers. Use a number from ${APP_PORT_MIN} to ${PORT_MAX}, such as 8080.`,
    );
  }
  return port;
}

export function portInUseError(port: number, cause?: unknown): AppError {
  const suggestion = port < 65535 ? port + 1 : 8080;
  return new AppError(
    'port-in-use',
    `Port ${port} is already used by another program. Choose another port, such as ${suggestion}, and update the address in your Anki apps.`,
    { cause },
  );
}

/** Maps a failed server start (listen, or a folder held by another server) to a learner's sentence. */
export function startError(error: unknown, port: number, host: string): AppError {
  // The server wraps listen() failures; the system's code is on the cause.
  // A certificate that cannot be served is already worded for the learner.
  if (error instanceof Error && error.cause instanceof CertificateError)
    return new AppError('certificate', error.cause.message, { cause: error });
  const errno = (error as { code?: string; cause?: { code?: string } } | undefined) ?? {};
  const code = errno.code ?? errno.cause?.code;
  if (code === 'EADDRINUSE') return portInUseError(port, error);
  if (code === 'EACCES') {
    return new AppError(
      'port-denied',
      `This computer does not allow programs to use port ${port}. Choose a port from 1024 to 65535, such as 8080.`,
      {
        cause: error,
      },
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new AppError(
      'folder-in-use',
      'Another sync server is using the storage folder. Stop it, or choose another storage folder, then start again.',
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new AppError(
      'address-unavailable',
      `This computer has no network address ${host}. Choose "All networks" or "This computer only".`,
      {
        cause: error,
      },
    );
  }
  return new AppError('start-failed', `The server could not start (${code ?? 'unknown reason'}). Try again, or choose another port.`, {
    cause: error,
  });
}
