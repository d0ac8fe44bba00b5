// A name that survives address changes: `<computer>.local`, over multicast DNS
// (RFC 6762). macOS, Windows 10+ and Linux with Avahi answer for their own name;
// where nothing does (Linux without Avahi, a container), we answer for it
// ourselves, with multicast-dns. We answer only for that one name, only with
// the address of the interface the question came in on, and only on the
// interfaces the server serves. The app shows the name only once a question for
// it, asked over multicast DNS, comes back with one of this computer's addresses.
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import makeMdns from 'multicast-dns';

/** An IPv4 interface the server serves: its address and netmask. */
export interface ServedInterface {
  readonly address: string;
  readonly netmask: string;
}

/** How long an answer may be kept by those who hear it (RFC 6762 §10: 120 s for host names). */
const TTL_SECONDS = 120;

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function sameSubnet(a: string, b: ServedInterface): boolean {
  const mask = toNumber(b.netmask);
  return (toNumber(a) & mask) === (toNumber(b.address) & mask);
}

/** `Desk` → `desk.local`; a name that is not a DNS label is refused. */
export function mdnsName(name: string): string {
  const label = name
    .trim()
    .toLowerCase()
    .replace(/\.local\.?$/, '');
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
    throw new Error(`"${name}" cannot be a .local name: use letters, digits and hyphens (for example "desk" or "anki-home")`);
  }
  return `${label}.local`;
}

/** Answers for `name` on each interface served, with that interface's address. */
export class MdnsResponder {
  private readonly sockets: ReturnType<typeof makeMdns>[] = [];

  constructor(
    readonly name: string,
    private readonly interfaces: readonly ServedInterface[],
  ) {}

  start(): Promise<void> {
    return Promise.all(
      this.interfaces
        .filter((served) => isIPv4(served.address))
        .map(
          (served) =>
            new Promise<void>((resolve) => {
              // Bound to the port on every address (a socket bound to one address hears no multicast),
              // joined and sending on this interface only.
              const mdns = makeMdns({ interface: served.address, bind: '0.0.0.0', reuseAddr: true, loopback: true });
              mdns.on('query', (query, rinfo) => {
                // Linux hands every socket on 5353 the questions of every interface: this one answers its own.
                if (!sameSubnet(rinfo.address, served)) return;
                const asked = query.questions.some(
                  (q) => q.name.toLowerCase() === this.name && (q.type === 'A' || String(q.type) === 'ANY'),
                );
                if (!asked) return;
                const answer = { answers: [{ name: this.name, type: 'A' as const, ttl: TTL_SECONDS, flush: true, data: served.address }] };
                // A one-shot question from another port is answered to its sender (RFC 6762 §6.7), others to the group.
                if (rinfo.port !== 5353)
                  mdns.respond({ ...answer, id: (query as { id?: number }).id ?? 0, questions: query.questions }, rinfo);
                else mdns.respond(answer);
              });
              mdns.on('ready', () => resolve());
              mdns.on('error', () => resolve());
              this.sockets.push(mdns);
            }),
        ),
    ).then(() => undefined);
  }

  stop(): void {
    for (const mdns of this.sockets.splice(0)) mdns.destroy();
  }
}

/**
 * Asks once over multicast DNS (a one-shot query from a port of its own, RFC
 * 6762 §5.1) for `name`'s IPv4 addresses, on the interface of `via`; resolves
 * with what answered within `waitMs`.
 */
export async function askMdns(name: string, via: string, waitMs = 1_500): Promise<string[]> {
  // A socket of our own on `via`: answers to a one-shot question come back to it by unicast.
  const socket = createSocket({ type: 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, via, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setMulticastInterface(via);
    socket.setMulticastLoopback(true);
    socket.setMulticastTTL(255);
  } catch {
    socket.close();
    return [];
  }
  const mdns = makeMdns({ socket, bind: false, port: 5353 });
  const found = new Set<string>();
  mdns.on('response', (response) => {
    for (const answer of [...response.answers, ...(response.additionals ?? [])]) {
      if (answer.type === 'A' && answer.name.toLowerCase() === name) found.add(String(answer.data));
    }
  });
  mdns.on('error', () => undefined);
  mdns.query({ questions: [{ name, type: 'A' }] });
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  mdns.destroy();
  return [...found];
}

export type StableNameState = { readonly name: string; readonly answeredBy: 'system' | 'us' } | null;

/**
 * Makes `name` answer on the interfaces served: if the system already answers
 * with one of our addresses, it is left to it; otherwise we answer. Resolves with
 * who answers, or null when the name still does not come back (the app then
 * does not show it), and the responder to stop (null when the system answers).
 */
export async function keepNameAnswering(
  name: string,
  interfaces: readonly ServedInterface[],
  waitMs = 1_500,
): Promise<{ state: StableNameState; responder: MdnsResponder | null }> {
  const ours = new Set(interfaces.map((served) => served.address));
  const via = interfaces.find((served) => isIPv4(served.address));
  if (via === undefined) return { state: null, responder: null };
  const answersWithOurs = async (): Promise<boolean> => (await askMdns(name, via.address, waitMs)).some((ip) => ours.has(ip));
  if (await answersWithOurs()) return { state: { name, answeredBy: 'system' }, responder: null };
  const responder = new MdnsResponder(name, interfaces);
  await responder.start();
  if (await answersWithOurs()) return { state: { name, answeredBy: 'us' }, responder };
  responder.stop();
  return { state: null, responder: null };
}

/**
 * The IPv4 interfaces devices at home reach the server on, for `host` (0.0.0.0:
 * all of them): not loopback, not link-local, not a container bridge or a VPN
 * (multicast does not cross them).
 */
export function servedInterfaces(host: string, table: NodeJS.Dict<NetworkInterfaceInfo[]>): ServedInterface[] {
  const served: ServedInterface[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (/^(lo|tailscale|utun|wg|wireguard|docker|br-|virbr|vmnet|vboxnet|lxcbr|lxdbr|cni|flannel|podman|zt)/i.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || info.internal || info.address.startsWith('169.254.')) continue;
      if (host !== '0.0.0.0' && host !== '::' && info.address !== host) continue;
      served.push({ address: info.address, netmask: info.netmask });
    }
  }
  return served;
}
