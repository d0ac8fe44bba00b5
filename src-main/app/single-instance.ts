// One app per user session: a second launch only brings the first one's window
// forward (two servers would fight over the port and the same collections).

import { app } from 'electron';

/** False when another instance runs; this one should quit at once. */
export function claimSingleInstance(onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => onSecondLaunch());
  return true;
}
