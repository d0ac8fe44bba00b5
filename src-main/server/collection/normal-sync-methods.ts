// The stateful steps of a normal sync, in the order a client calls them.
import type { MethodTable } from '../protocol.js';
import { applyChanges } from './apply-changes.js';
import { applyChunk } from './apply-chunk.js';
import { applyGraves } from './apply-graves.js';
import { chunk } from './chunk.js';
import { finish } from './finish.js';
import { sanityCheck2 } from './sanity-check2.js';
import { start } from './start.js';

export const normalSyncMethods: MethodTable = {
  start,
  applyGraves,
  applyChanges,
  chunk,
  applyChunk,
  sanityCheck2,
  finish,
};
