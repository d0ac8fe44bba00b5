// The real SyncServer behind the controller's narrow RunningServer seam.

import { SyncServer, type Logger } from '../server/index.js';
import type { StartServer } from './server-port.js';

export function syncServerStarter(logger?: Logger): StartServer {
  return async (config, onActivity) => {
    const server = new SyncServer(config, logger ? { logger } : {});
    server.on('activity', onActivity);
    const { port } = await server.start();
    return {
      port,
      setUsers: (users) => server.setUsers(users),
      stop: () => server.stop(),
    };
  };
}
