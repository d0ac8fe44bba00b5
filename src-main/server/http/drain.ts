// A request answered before its body was read (an early 400, an upload over the
// limit, an unknown key): the rest of the body is read and dropped so that the
// client, still sending, can read the answer; a client that keeps sending past
// the deadline or the byte budget is cut off.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Call before the head goes out: the connection will not be reused for another request. */
export function closeAfterReplyIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.shouldKeepAlive = false;
}

export interface DrainBudget {
  readonly graceMs: number;
  /** Bytes read and dropped before the socket is cut; unbounded when absent. */
  readonly maxBytes?: number;
}

/** For a body we meant to read: time for a slow link to finish sending. */
export const DRAIN_GRACE: DrainBudget = { graceMs: 10_000 };
/** For a body from someone we do not serve: a short deadline and a small budget, never a decoder. */
export const DISCARD_GRACE: DrainBudget = { graceMs: 2_000, maxBytes: 1024 * 1024 };

export function finishRequestBody(req: IncomingMessage, budget: DrainBudget = DRAIN_GRACE): void {
  if (req.complete || req.destroyed) return;
  const cut = (): void => {
    req.socket.destroy();
  };
  const timer = setTimeout(cut, budget.graceMs);
  timer.unref();
  let dropped = 0;
  const onData = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (budget.maxBytes !== undefined && dropped > budget.maxBytes) cut();
  };
  const done = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  req.on('data', onData);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}
