// The sync server in a process of its own, so the media bench can read its peak
// RSS. Prints {"port": n} once listening; stops on SIGTERM.
//   node media-bench-server.js <SYNC_BASE>
import { SyncServer, silentLogger } from '../../src-main/server/index.js';
import { plainUser } from '../../test/support/test-server.js';

const server = new SyncServer(
  { host: '127.0.0.1', port: 0, baseFolder: process.argv[2]!, maxPayloadMegs: 100, users: [plainUser('bench', 'bench')] },
  { logger: silentLogger },
);
const { port } = await server.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
