// The sync server as the benches run it: in a child process of its own, so its
// peak RSS (VmHWM) is its own. It times every collection method handler it
// serves and answers `stats` / `reset` messages from the parent over IPC.
import { readFileSync } from 'node:fs';
import { consoleLogger, type ServerConfig, silentLogger, SyncServer } from '../../src-main/server/index.js';

export interface ServerStats {
  /** Time spent inside collection method handlers since the last reset. */
  handlerMs: number;
  requests: number;
  /** Peak resident set size of this process, from /proc/self/status. */
  vmHwmKb: number;
  /** Resident set size now (after a full GC when --expose-gc is on). */
  vmRssKb: number;
}

let handlerMs = 0;
let requests = 0;

function statusKb(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : -1;
}

const config = JSON.parse(process.argv[2]!) as ServerConfig;
const server = new SyncServer(config, {
  logger: process.env['BENCH_SERVER_LOG'] === '1' ? consoleLogger : silentLogger,
  onHandlerTimed: (method, ms) => {
    if (method.area !== 'sync') return;
    handlerMs += ms;
    requests++;
  },
});
const { port } = await server.start();
process.send!({ type: 'ready', port });
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    handlerMs = 0;
    requests = 0;
    process.send!({ type: 'reset' });
  } else if (message.type === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    const stats: ServerStats = { handlerMs, requests, vmHwmKb: statusKb('VmHWM'), vmRssKb: statusKb('VmRSS') };
    // Where the RSS is: V8's heap and buffers; the rest is native (SQLite, zstd, malloc's free lists).
    if (process.env['BENCH_SERVER_MEMORY'] === '1') {
      const MiB = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;
      const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
      console.error(
        `  server memory: rss ${MiB(rss)}, V8 heap ${MiB(heapUsed)} of ${MiB(heapTotal)}, external ${MiB(external)} (buffers ${MiB(arrayBuffers)})`,
      );
    }
    process.send!({ type: 'stats', stats });
  } else if (message.type === 'stop') {
    void server.stop().then(() => process.exit(0));
  }
});
