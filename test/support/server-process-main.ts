// The child side of server-process.ts: a real SyncServer in a process of its
// own, so that its memory can be measured apart from the test's clients.
import { existsSync, readFileSync } from 'node:fs';
import { SyncServer } from '../../src-main/server/server.js';
import type { ServerConfig } from '../../src-main/server/config/config.js';
import { consoleLogger, silentLogger } from '../../src-main/server/report/log.js';
import type { ActivityEvent } from '../../src-main/server/protocol.js';

interface Start {
  readonly config: ServerConfig;
  readonly loginThrottle?: Record<string, number>;
}

const { config, loginThrottle } = JSON.parse(process.argv[2]!) as Start;
const server = new SyncServer(config, {
  logger: process.env.AHS_CHILD_LOG ? consoleLogger : silentLogger,
  shutdownGraceMs: 1_000,
  loginThrottle,
});
const activity: ActivityEvent[] = [];
server.on('activity', (event) => activity.push(event));
const { port } = await server.start();
process.send!({ type: 'ready', port });
process.on('message', (message: { type: string; id: number }) => {
  const reply = (value: unknown): void => void process.send!({ type: 'reply', id: message.id, value });
  if (message.type === 'rss') {
    global.gc?.();
    reply(process.memoryUsage().rss);
  } else if (message.type === 'peak') {
    // The peak resident set since start (Linux); elsewhere the current one.
    const match = existsSync('/proc/self/status') ? /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')) : null;
    reply(match ? Number(match[1]) * 1024 : process.memoryUsage().rss);
  } else if (message.type === 'activity') {
    reply(activity);
  } else if (message.type === 'stop') {
    void server.stop().then(() => {
      reply(null);
      process.exit(0);
    });
  }
});
