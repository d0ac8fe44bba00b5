// The sync server in a child process (support/sync-server-process.ts), driven
// over IPC: handler time since the last reset, current and peak RSS.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from '../../src-main/server/index.js';
import type { ServerStats } from './sync-server-process.js';

const here = dirname(fileURLToPath(import.meta.url));

export class BenchServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): Promise<BenchServer> {
    const child = fork(join(here, 'sync-server-process.js'), [JSON.stringify(config)], {
      stdio: 'inherit',
      env,
      execArgv: ['--expose-gc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { type: string; port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    });
    child.on('exit', (code, signal) => {
      if (code !== 0) console.error(`bench server exited: code ${code}, signal ${signal}`);
    });
    return new BenchServer(child, `http://127.0.0.1:${port}/`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (message: { stats: T }) => resolve(message.stats));
      this.child.send({ type });
    });
  }

  reset(): Promise<void> {
    return this.ask('reset');
  }

  stats(): Promise<ServerStats> {
    return this.ask('stats');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'stop' });
    });
  }
}
