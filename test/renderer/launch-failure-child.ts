// Child process for launch-failure.test.ts: opens the window harness with a
// browser that cannot start, reports the rejection, and then has nothing left
// to do. If anything of the harness outlived the failure, it would not exit.
import { openWindow } from './window-harness.js';
import type { AppCommands } from '../../src-main/shared/ipc.js';

const executable = process.argv[2] ?? '/bin/false';
openWindow({} as AppCommands, executable).then(
  () => console.log('opened'),
  (error: unknown) => console.log(`rejected: ${String(error).split('\n')[0]}`),
);
