// The app's `.local` name (issue 25 §1): asked for over multicast DNS when the
// server starts on every network; where the system (macOS, Windows, Avahi) does
// not answer for it, the app does (server/reach/mdns-name.ts). It is shown only
// once it answers with one of this computer's addresses.
import { hostname } from 'node:os';
import { keepNameAnswering, servedInterfaces, type InterfaceTable, type MdnsResponder, type StableNameState } from '../server/index.js';
import { localName } from './home-certificate.js';

export class StableName {
  private state: StableNameState = null;
  private responder: MdnsResponder | null = null;
  /** The interfaces last answered on, so a change of network asks again. */
  private servedKey = '';
  private running: Promise<void> | null = null;

  constructor(
    private readonly interfaces: () => InterfaceTable,
    private readonly changed: () => void,
    private readonly name: string | null = localName(hostname()),
  ) {}

  /** The name, while it answers. */
  current(): string | null {
    return this.state?.name ?? null;
  }

  /** Asks again if the interfaces changed (or for the first time); answers for the name where nothing else does. */
  refresh(): Promise<void> {
    if (this.name === null) return Promise.resolve();
    const served = servedInterfaces('0.0.0.0', this.interfaces());
    const key = JSON.stringify(served);
    if (key === this.servedKey || this.running !== null) return this.running ?? Promise.resolve();
    this.servedKey = key;
    const name = this.name;
    this.running = (async () => {
      this.responder?.stop();
      this.responder = null;
      const kept = served.length === 0 ? { state: null, responder: null } : await keepNameAnswering(name, served);
      this.state = kept.state;
      this.responder = kept.responder;
      this.changed();
    })().finally(() => (this.running = null));
    return this.running;
  }

  stop(): void {
    this.responder?.stop();
    this.responder = null;
    this.state = null;
    this.servedKey = '';
  }
}

/** This computer's home IPv4 addresses, as the name's answers and the address-changed notice compare them. */
export function homeAddresses(interfaces: InterfaceTable): string[] {
  return servedInterfaces('0.0.0.0', interfaces).map((served) => served.address);
}

/**
 * When none of the addresses devices last used is this computer's any more
 * (DHCP gave it another), what to tell the owner, once; null otherwise.
 */
export function addressChangeNotice(
  last: readonly string[],
  now: readonly string[],
  port: number,
  stableName: string | null,
  scheme: 'http' | 'https' = 'http',
): string | null {
  if (last.length === 0 || now.length === 0 || last.some((address) => now.includes(address))) return null;
  const was = last.join(', ');
  const use = `${scheme}://${stableName ?? now[0]}:${port}/`;
  return (
    `This computer's address changed: devices last synced with ${was}, and it is now ${now.join(', ')}. ` +
    `Set each device's sync address to ${use}` +
    (stableName === null ? '.' : ', which keeps working when the router changes the number.')
  );
}
