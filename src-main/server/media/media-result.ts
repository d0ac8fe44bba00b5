// Every media answer except downloadFiles is `{"data": …, "err": ""}`. `err` is
// always present: Python clients test it and the old Rust client requires it.
import { jsonReply, type SyncReply } from '../protocol.js';

export function mediaResult(data: unknown): SyncReply {
  return jsonReply({ data, err: '' });
}
