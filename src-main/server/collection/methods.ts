// The `/sync/{method}` table. hostKey is answered by the auth layer before any
// user is known, so it is not here.
import type { MethodTable } from '../protocol.js';
import { normalSyncMethods } from './normal-sync-methods.js';

export const collectionMethods: MethodTable = { ...normalSyncMethods };
