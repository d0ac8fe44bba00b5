// The `/sync/{method}` table. hostKey is answered by the auth layer before any
// user is known, so it is not here. Each method lives in its own file.
import type { MethodTable } from '../protocol.js';
import { meta } from './meta.js';
import { upload } from './upload.js';
import { download } from './download.js';
import { abort } from './abort.js';
import { normalSyncMethods } from './normal-sync-methods.js';

export const collectionMethods: MethodTable = {
  meta,
  ...normalSyncMethods,
  upload,
  download,
  abort,
};
