// A request answered before its body was read (an early 400, an upload over the
// limit): the rest of the body is read and dropped so that the client, still
// sending, can read the answer; a client that keeps sending is cut off.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Call before the head goes out: the connection will not be reused for another request. */
export function closeAfterReplyIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.shouldKeepAlive = false;
}

const DRAIN_GRACE_MS = 10_000;

export function finishRequestBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_GRACE_MS);
  timer.unref();
  const done = (): void => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}
