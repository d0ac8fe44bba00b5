// Whether a Linux desktop shows tray icons. Electron's tray on Linux is a
// StatusNotifierItem, which appears only where some program owns the session
// bus name org.kde.StatusNotifierWatcher (KDE, Cinnamon, XFCE, MATE, GNOME with
// the AppIndicator extension); plain GNOME has none, and the icon is then shown
// nowhere. This asks the bus, with a minimal D-Bus client (the wire format of
// the D-Bus Specification: EXTERNAL authentication, Hello, NameHasOwner), so
// the app can say once that it has no tray there.

import { createConnection, type Socket } from 'node:net';

export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** Where the session bus listens, from DBUS_SESSION_BUS_ADDRESS: a socket path (abstract ones start with NUL). */
export function sessionBusSocket(address: string | undefined): string | null {
  for (const candidate of (address ?? '').split(';')) {
    if (!candidate.startsWith('unix:')) continue;
    const keys = new Map(
      candidate
        .slice('unix:'.length)
        .split(',')
        .map((pair) => {
          const at = pair.indexOf('=');
          return [pair.slice(0, at), decodeURIComponent(pair.slice(at + 1))] as const;
        }),
    );
    if (keys.has('path')) return keys.get('path')!;
    if (keys.has('abstract')) return `\0${keys.get('abstract')!}`;
  }
  return null;
}

type Arg = { readonly type: 's'; readonly value: string } | { readonly type: 'u'; readonly value: number };

/** A little-endian D-Bus message being written, aligned from its start. */
class Writer {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  uint32(v: number): void {
    this.align(4);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  setUint32(at: number, v: number): void {
    this.bytes.splice(at, 4, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  string(s: string): void {
    const utf8 = Buffer.from(s, 'utf8');
    this.uint32(utf8.length);
    this.bytes.push(...utf8, 0);
  }
  signature(s: string): void {
    this.byte(s.length);
    this.bytes.push(...Buffer.from(s, 'ascii'), 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/** A method call to the bus itself (org.freedesktop.DBus). */
export function methodCall(serial: number, member: string, args: readonly Arg[]): Buffer {
  const signature = args.map((a) => a.type).join('');
  const body = new Writer();
  for (const arg of args) {
    if (arg.type === 's') body.string(arg.value);
    else body.uint32(arg.value);
  }
  const bodyBytes = body.buffer();
  const m = new Writer();
  m.byte(0x6c); // 'l': little-endian
  m.byte(1); // METHOD_CALL
  m.byte(0); // flags
  m.byte(1); // protocol version
  m.uint32(bodyBytes.length);
  m.uint32(serial);
  const arrayLengthAt = m.length;
  m.uint32(0);
  const fieldsStart = m.length;
  const field = (code: number, type: 'o' | 's' | 'g', value: string) => {
    m.align(8);
    m.byte(code);
    m.signature(type);
    if (type === 'g') m.signature(value);
    else m.string(value);
  };
  field(1, 'o', '/org/freedesktop/DBus');
  field(2, 's', 'org.freedesktop.DBus');
  field(3, 's', member);
  field(6, 's', 'org.freedesktop.DBus');
  if (signature !== '') field(8, 'g', signature);
  m.setUint32(arrayLengthAt, m.length - fieldsStart);
  m.align(8);
  return Buffer.concat([m.buffer(), bodyBytes]);
}

interface Message {
  readonly type: number;
  readonly replySerial: number | null;
  readonly signature: string;
  readonly body: Buffer;
}

/** One whole message from the start of `data`, or null when more bytes are needed. */
export function readMessage(data: Buffer): { message: Message; size: number } | null {
  if (data.length < 16) return null;
  if (data[0] !== 0x6c && data[0] !== 0x42) throw new Error('not a D-Bus message');
  const le = data[0] === 0x6c;
  const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const bodyLength = u32(4);
  const fieldsLength = u32(12);
  const headerEnd = 16 + fieldsLength;
  const bodyStart = headerEnd + ((8 - (headerEnd % 8)) % 8);
  const size = bodyStart + bodyLength;
  if (data.length < size) return null;
  let replySerial: number | null = null;
  let signature = '';
  let at = 16;
  while (at < headerEnd) {
    at += (8 - (at % 8)) % 8;
    const code = data[at]!;
    const sigLength = data[at + 1]!;
    const type = data.toString('ascii', at + 2, at + 2 + sigLength);
    at += 2 + sigLength + 1;
    if (type === 'u') {
      at += (4 - (at % 4)) % 4;
      if (code === 5) replySerial = u32(at);
      at += 4;
    } else if (type === 'g') {
      const length = data[at]!;
      if (code === 8) signature = data.toString('ascii', at + 1, at + 1 + length);
      at += 1 + length + 1;
    } else if (type === 's' || type === 'o') {
      at += (4 - (at % 4)) % 4;
      at += 4 + u32(at) + 1;
    } else {
      throw new Error(`unexpected header field type ${type}`);
    }
  }
  return { message: { type: data[1]!, replySerial, signature, body: data.subarray(bodyStart, size) }, size };
}

/** A connection to a bus: authenticated, said Hello, and able to call the bus's own methods. */
export class BusConnection {
  private buffered = Buffer.alloc(0);
  private serial = 0;
  private readonly waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    const fail = (error: Error) => {
      this.closedError = error;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the bus closed the connection')));
  }

  /** Gives up (and closes) when the bus is silent for `idleMs`. */
  static async open(socketPath: string, idleMs = 5_000): Promise<BusConnection> {
    const socket = createConnection(socketPath);
    socket.setTimeout(idleMs, () => socket.destroy(new Error('the bus did not answer')));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    socket.write(Buffer.from([0]));
    socket.write(`AUTH EXTERNAL ${Buffer.from(String(uid), 'ascii').toString('hex')}\r\n`);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n')) {
          socket.off('data', onData);
          resolve(text);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    if (!answer.startsWith('OK ')) {
      socket.destroy();
      throw new Error(`the bus refused us: ${answer.trim()}`);
    }
    socket.write('BEGIN\r\n');
    const bus = new BusConnection(socket);
    await bus.call('Hello', []);
    return bus;
  }

  call(member: string, args: readonly Arg[]): Promise<Message> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const serial = ++this.serial;
    return new Promise((resolve, reject) => {
      this.waiting.set(serial, { resolve, reject });
      this.socket.write(methodCall(serial, member, args));
    });
  }

  async nameHasOwner(name: string): Promise<boolean> {
    const reply = await this.call('NameHasOwner', [{ type: 's', value: name }]);
    if (reply.type !== 2 || reply.signature !== 'b') throw new Error(`NameHasOwner failed (${reply.type}, ${reply.signature})`);
    return reply.body.readUInt32LE(0) === 1;
  }

  /** Takes a well-known name (the tests stand in for a desktop's tray with this). */
  async requestName(name: string): Promise<void> {
    const reply = await this.call('RequestName', [
      { type: 's', value: name },
      { type: 'u', value: 4 }, // DBUS_NAME_FLAG_DO_NOT_QUEUE
    ]);
    if (reply.type !== 2 || reply.body.readUInt32LE(0) !== 1) throw new Error(`could not own ${name}`);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const next = readMessage(this.buffered);
      if (next === null) return;
      this.buffered = this.buffered.subarray(next.size);
      const { message } = next;
      // Method returns (2) and errors (3) answer a call; signals (4) are not ours to wait for.
      if ((message.type === 2 || message.type === 3) && message.replySerial !== null) {
        const waiter = this.waiting.get(message.replySerial);
        this.waiting.delete(message.replySerial);
        if (message.type === 3) waiter?.reject(new Error(`the bus answered call ${message.replySerial} with an error`));
        else waiter?.resolve(message);
      }
    }
  }
}

/**
 * Whether tray icons are shown on this Linux desktop. False when there is no
 * session bus, it cannot be reached in time, or nobody owns the watcher's name.
 */
export async function statusNotifierWatcherPresent(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2_000): Promise<boolean> {
  const socketPath = sessionBusSocket(env['DBUS_SESSION_BUS_ADDRESS']);
  if (socketPath === null) return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const asked = BusConnection.open(socketPath, timeoutMs).then(
    async (bus) => {
      try {
        return await bus.nameHasOwner(STATUS_NOTIFIER_WATCHER);
      } finally {
        bus.close();
      }
    },
    () => false,
  );
  try {
    return await Promise.race([asked.catch(() => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
