// How many connections the server holds at once: a cap for everyone, so that
// idle or slow sockets can never use up the process's file descriptors, and a
// lower cap per address, so that one device (or one attacker) cannot take them
// all. A connection over a cap is answered 503 and closed at once.
//
// Behind a reverse proxy (SYNC_IP_HEADER set) every connection comes from the
// proxy, so the per-address cap is not applied to sockets: the pipeline counts
// requests per forwarded address instead (RequestsPerAddress below).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { TooManyRequestsError } from '../errors.js';

const BUSY =
  'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\n503';

export interface ConnectionCaps {
  readonly total: number;
  /** null behind a proxy. */
  readonly perAddress: number | null;
}

export function capConnections(http: Server, caps: ConnectionCaps): void {
  const byAddress = new Map<string, number>();
  let open = 0;
  http.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const fromAddress = byAddress.get(address) ?? 0;
    if (open >= caps.total || (caps.perAddress !== null && fromAddress >= caps.perAddress)) {
      refuse(socket);
      return;
    }
    open++;
    byAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  });
}

function refuse(socket: Socket): void {
  socket.on('error', () => undefined);
  // Written before the parser reads anything; the request, if any, is never read.
  socket.end(BUSY);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** Requests in progress per client address, for when sockets all come from a proxy. */
export class RequestsPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Throws 429 when `address` already has `max` requests in progress; else returns the release. */
  enter(address: string): () => void {
    const held = this.counts.get(address) ?? 0;
    if (held >= this.max) throw new TooManyRequestsError(`${held} requests from ${address} already in progress`);
    this.counts.set(address, held + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const now = (this.counts.get(address) ?? 1) - 1;
      if (now > 0) this.counts.set(address, now);
      else this.counts.delete(address);
    };
  }
}
