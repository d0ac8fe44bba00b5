// Collection methods carry JSON bodies. A body that is not JSON is the
// client's fault (400), and is decided before any session state is looked at,
// so a garbled request never disturbs a sync in progress.
import { BadRequestError } from '../errors.js';
import type { SyncRequest } from '../protocol.js';

export function readJsonBody(request: SyncRequest): unknown {
  if (request.body.kind !== 'buffer') {
    throw new BadRequestError(`${request.method}: expected a JSON body`);
  }
  const text = request.body.data.toString('utf8');
  // Legacy clients may send no `data` part at all for argument-less methods.
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequestError(`${request.method}: body is not JSON`, { cause: error });
  }
}
