// A request answered before its body was read (an early 400, an upload over the
// limit): the rest of the body is read and dropped so that the client, still
// sending, can read the answer; a client that keeps sending is cut off.
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_GRACE_MS = 10_000;

export function finishRequestBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || req.destroyed) return;
  res.shouldKeepAlive = false;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_GRACE_MS);
  timer.unref();
  const done = (): void => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}
