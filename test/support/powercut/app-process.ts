// The test side of app-child.ts: the app's controller in a child process.
import { fork } from 'node:child_process';
import { killChild } from '../server-process.js';
import { fileURLToPath } from 'node:url';
import type { AppCommand } from './app-child.js';

export interface AppProcess {
  send<T = unknown>(command: AppCommand): Promise<T>;
  /** Stops the server as quitting the app does, and waits for the process to end. */
  quit(): Promise<void>;
  /** SIGKILL, as a power cut stops it. */
  kill(): Promise<void>;
}

const main = fileURLToPath(new URL('./app-child.js', import.meta.url));

export async function startAppProcess(root: string): Promise<AppProcess> {
  const child = fork(main, [root], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the app process exited with ${code} before it was ready`)));
  });
  let nextId = 0;
  const send = <T>(command: AppCommand): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (message: { id: number; value?: T; error?: string }): void => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.value as T);
      };
      const onExit = (code: number | null): void => reject(new Error(`the app process exited (${code}) during ${command.type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, command });
    });
  return {
    send,
    quit: async () => {
      await send({ type: 'shutdown' });
      await killChild(child);
    },
    kill: () => killChild(child),
  };
}
