// A child process for app.bench.ts: `app <folder>` runs the app's controller
// headless (conf settings, the real SyncServer) with the accounts already saved
// in <folder>; `raw` listens with a bare node:http server as the baseline.
// Reports over IPC: ready (with ms from process start), then rss on request.

import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

type Message = { readonly kind: 'rss' } | { readonly kind: 'stop' };

const [mode, folder] = process.argv.slice(2);
const send = (message: Record<string, unknown>): void => void process.send?.(message);
let stop: () => Promise<void>;

if (mode === 'app') {
  const { AppController } = await import('../src-main/controller/app-controller.js');
  const { syncServerStarter } = await import('../src-main/controller/running-server.js');
  const { createConfSettings } = await import('../src-main/settings/conf-store.js');
  const { silentLogger, userPaths } = await import('../src-main/server/index.js');
  const controller = new AppController({
    settings: createConfSettings(join(folder!, 'settings')),
    defaultStorageFolder: join(folder!, 'collections'),
    startServer: syncServerStarter(silentLogger),
    userPaths,
  });
  await controller.start();
  stop = () => controller.shutdown();
  send({ kind: 'ready', port: controller.currentPort(), uptimeMs: performance.now() });
} else {
  const server = createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stop = () => new Promise((resolve) => server.close(() => resolve()));
  send({ kind: 'ready', port: (server.address() as AddressInfo).port, uptimeMs: performance.now() });
}

process.on('message', (message: Message) => {
  if (message.kind === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    send({ kind: 'rss', rss: process.memoryUsage().rss });
  } else {
    void stop().then(() => process.exit(0));
  }
});
