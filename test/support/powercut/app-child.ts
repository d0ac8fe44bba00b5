// The app's controller in a process of its own, on a settings folder and a
// storage folder the test names, so that a power-cut test can kill it the way
// a power cut does. The test sends commands over IPC; each is answered once the
// controller's promise resolves, which is when the window would say it is done.
import { join } from 'node:path';
import { AppController } from '../../../src-main/controller/app-controller.js';
import { syncServerStarter } from '../../../src-main/controller/running-server.js';
import { toUserAccount } from '../../../src-main/controller/accounts.js';
import { silentLogger } from '../../../src-main/server/report/log.js';
import { userPaths } from '../../../src-main/server/storage/user-paths.js';
import { createConfSettings } from '../../../src-main/settings/conf-store.js';

export type AppCommand =
  | { type: 'configure'; port: number }
  | { type: 'start' }
  | { type: 'addUser'; name: string; password: string }
  | { type: 'renameUser'; from: string; to: string }
  | { type: 'snapshots'; name: string }
  | { type: 'restoreSnapshot'; name: string; id: string }
  | { type: 'accounts' }
  | { type: 'shutdown' };

const root = process.argv[2]!;
const settings = createConfSettings(join(root, 'settings'));
const controller = new AppController({
  settings,
  defaultStorageFolder: join(root, 'collections'),
  startServer: syncServerStarter(silentLogger),
  userPaths,
  ankiDataFolders: [join(root, 'Anki2')],
  networkInterfaces: () => ({}),
});

async function handle(command: AppCommand): Promise<unknown> {
  switch (command.type) {
    case 'configure':
      settings.update({ bindAddress: 'this-computer-only', port: command.port, checkForUpdates: false });
      return null;
    case 'start':
      await controller.start();
      return controller.currentPort();
    case 'addUser':
      return controller.addUser(command.name, command.password);
    case 'renameUser':
      return controller.renameUser(command.from, command.to);
    case 'snapshots': {
      const state = await controller.state();
      return state.users.find((user) => user.name === command.name)?.snapshots ?? [];
    }
    case 'restoreSnapshot':
      return controller.restoreSnapshot(command.name, command.id);
    case 'accounts':
      return controller.settings().users.map((user) => ({ name: user.name, hostKey: toUserAccount(user).hostKey }));
    case 'shutdown':
      controller.updates.stop();
      await controller.shutdown();
      return null;
  }
}

process.on('message', (message: { id: number; command: AppCommand }) => {
  handle(message.command).then(
    (value) => process.send!({ id: message.id, value: value ?? null }),
    (error: Error) => process.send!({ id: message.id, error: error.message }),
  );
});
process.send!({ ready: true });
