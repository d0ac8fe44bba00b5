// The test clients send their next request before doing their own local work
// for the last one, so that work overlaps the server's instead of following it.
// Still one request on the wire at a time, in the reference client's order.

/** Marks a request sent ahead of local work: its failure is seen where it is awaited, not as an unhandled rejection meanwhile. */
export function sentAhead<T>(request: Promise<T>): Promise<T> {
  request.catch(() => undefined);
  return request;
}

/** Lets a request just issued reach its socket before synchronous local work blocks the event loop. */
export function requestOnTheWire(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
