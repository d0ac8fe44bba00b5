// Port validation, the check that a port is free, and the words for a server
// that cannot start: a port or a folder another program holds.

import { createServer } from 'node:net';
import { AppError } from './errors.js';
import { APP_PORT_MIN, CertificateError, CONFIG_SCHEMA, listenProblem, listenProblemForLearner } from '../server/index.js';

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
  return new AppError('port-in-use', listenProblemForLearner('port-in-use', { host: '', port }), { cause });
}

/** Maps a failed server start (listen, or a folder held by another server) to a learner's sentence. */
export function startError(error: unknown, port: number, host: string): AppError {
  // The server wraps listen() failures; the system's code is on the cause.
  // A certificate that cannot be served is already worded for the learner.
  if (error instanceof Error && error.cause instanceof CertificateError)
    return new AppError('certificate', error.cause.message, { cause: error });
  const errno = (error as { code?: string; cause?: { code?: string } } | undefined) ?? {};
  const code = errno.code ?? errno.cause?.code;
  const problem = listenProblem(code);
  if (problem !== null) return new AppError(problem, listenProblemForLearner(problem, { host, port }), { cause: error });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new AppError(
      'folder-in-use',
      'Another sync server is using the storage folder. Stop it, or choose another storage folder, then start again.',
      { cause: error },
    );
  }
  return new AppError('start-failed', `The server could not start (${code ?? 'unknown reason'}). Try again, or choose another port.`, {
    cause: error,
  });
}

/** Fails with the learner's sentence if something else already listens on host:port. */
export function probePort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(startError(error, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
