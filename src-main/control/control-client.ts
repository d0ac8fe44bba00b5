// The headless commands' side of the control socket: is a server running on
// this SYNC_BASE, and if so, one request and its answer.

import { createConnection } from 'node:net';
import { controlSocketPath, LineReader, type ControlAnswer, type ControlRequest } from './control-protocol.js';
import { probeSocket } from './control-server.js';

/** How the running server answered a request that failed: its reason and its sentence. */
export class ControlRequestError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The socket of a server running on `baseFolder`, or null when none runs (or none can be reached: Windows). */
export async function runningServerSocket(baseFolder: string): Promise<string | null> {
  const path = controlSocketPath(baseFolder);
  if (path === null) return null;
  try {
    return (await probeSocket(path)) === 'live' ? path : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new ControlRequestError(
        'not-allowed',
        `The server running on ${baseFolder} belongs to another system user, so this command cannot reach it. Run it as that user (in a container: docker exec -u PUID:PGID).`,
      );
    }
    throw error;
  }
}

/** Sends `request` and resolves with the answer's value; a refusal rejects with a ControlRequestError. */
export function askServer(path: string, request: ControlRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      outcome();
    };
    const reader = new LineReader(
      (line) => {
        let answer: ControlAnswer;
        try {
          answer = JSON.parse(line) as ControlAnswer;
        } catch {
          settle(() =>
            reject(new ControlRequestError('bad-answer', 'The running server answered something this command does not understand.')),
          );
          return;
        }
        if (answer.ok) settle(() => resolve(answer.value));
        else settle(() => reject(new ControlRequestError(answer.reason, answer.message)));
      },
      () => settle(() => reject(new ControlRequestError('bad-answer', 'The running server answered too much.'))),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.once('error', (error) => settle(() => reject(error)));
    socket.once('close', () =>
      settle(() =>
        reject(new ControlRequestError('bad-answer', 'The running server closed the connection without answering; it may be stopping.')),
      ),
    );
  });
}
