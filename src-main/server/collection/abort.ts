// `abort`: EmptyInput → null. Rolls back whatever normal sync is active,
// without comparing session keys; a no-op otherwise.
import { jsonReply, type MethodHandler } from '../protocol.js';
import { requestJsonObject } from '../json-body.js';
import { abortActiveSync } from './active-sync.js';

export const abort: MethodHandler = (user, request) => {
  requestJsonObject(request.body);
  abortActiveSync(user);
  return jsonReply(null);
};
