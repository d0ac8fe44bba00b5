// Listening on the configured address, and the one error a start that fails
// throws: the CLI prints its message, the controller shows it.
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { listenProblem, listenProblemForLog } from './listen-errors.js';

export class ServerStartError extends Error {}

/** Resolves with the bound address; a bind that fails is a ServerStartError worded by listen-errors.ts. */
export function listen(http: Server | HttpsServer, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const problem = listenProblem(error.code);
      const reason = problem === null ? error.message : listenProblemForLog(problem);
      reject(new ServerStartError(`couldn't bind to ${where}: ${reason}`, { cause: error }));
    };
    const onListening = (): void => {
      http.off('error', onError);
      const bound = http.address() as AddressInfo;
      resolve({ host: bound.address, port: bound.port });
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
}
