// Requests Node's HTTP parser refuses before any handler runs: a head over
// maxHeaderSize, a malformed request line, a head that never ends. Node's own
// answer closes the socket at once, so a client still sending its head gets a
// reset instead of the status. Here the status goes out, the writing side
// closes, and the rest of what the client sends is read and dropped for a
// moment (a lingering close), so the client can read why.
import type { Duplex } from 'node:stream';

/** How long the rest of a refused request is read and dropped before the socket goes. */
const LINGER_MS = 2_000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

const REQUEST_START = /^[A-Z]{3,7} /;

/** The status for a parser error; `packet` is the data the parser was reading when it gave up. */
export function clientErrorStatus(code: string | undefined, packet: Buffer | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') {
    // The request line alone did not fit: the URL is what is too long.
    if (packet !== undefined && REQUEST_START.test(packet.subarray(0, 8).toString('latin1')) && !packet.includes('\r\n')) return 414;
    return 431;
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADERS_TIMEOUT') return 408;
  return 400;
}

export function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error.code, error.rawPacket);
  const body = String(status);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
