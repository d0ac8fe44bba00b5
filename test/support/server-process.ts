// A real SyncServer in a child process, for tests that measure the server's
// own memory (RSS) while clients in the test process attack it, and for
// power-cut tests that kill it at a chosen moment.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerConfig, UserAccount } from '../../src-main/server/config/config.js';
import type { ActivityEvent } from '../../src-main/server/protocol.js';
import { makeTempFolder } from './temp-folder.js';
import { testServerConfig } from './test-server.js';

export interface ServerProcess {
  readonly port: number;
  readonly baseUrl: string;
  readonly baseFolder: string;
  /** The child's resident set size in bytes, after a garbage collection. */
  rss(): Promise<number>;
  /** The child's peak resident set size since it started, in bytes (Linux; the current one elsewhere). */
  peak(): Promise<number>;
  activity(): Promise<ActivityEvent[]>;
  stop(): Promise<void>;
  /** SIGKILL, as a power cut stops it: nothing is drained or closed. Resolves once it has exited. */
  kill(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly users: readonly UserAccount[];
  readonly maxPayloadMegs?: number;
  readonly config?: Partial<ServerConfig>;
  readonly loginThrottle?: Record<string, number>;
  /** SYNC_BASE; a new temp folder by default. */
  readonly baseFolder?: string;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const baseFolder = options.baseFolder ?? makeTempFolder('ahs-child-');
  const config = testServerConfig(baseFolder, options);
  const main = fileURLToPath(new URL('./server-process-main.js', import.meta.url));
  const child = fork(main, [JSON.stringify({ config, loginThrottle: options.loginThrottle })], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code} before it was ready`)));
  });
  let nextId = 0;
  const ask = <T>(type: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (message: { type: string; id: number; value: T }): void => {
        if (message.type !== 'reply' || message.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message.value);
      };
      const onExit = (code: number | null): void => reject(new Error(`the server process exited (${code}) while asked for ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ type, id });
    });
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/`,
    baseFolder,
    rss: () => ask<number>('rss'),
    peak: () => ask<number>('peak'),
    activity: () => ask<ActivityEvent[]>('activity'),
    stop: () => stopChild(child, ask),
    kill: () => killChild(child),
  };
}

/** SIGKILL, and resolves once the child has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

async function stopChild(child: ChildProcess, ask: (type: string) => Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await ask('stop').catch(() => undefined);
  await exited;
}

/** Whether the child is still alive (it must never crash). */
export function isAlive(server: { port: number }): Promise<boolean> {
  return fetch(`http://127.0.0.1:${server.port}/health`).then(
    (response) => response.status === 200,
    () => false,
  );
}
