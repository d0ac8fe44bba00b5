// The addresses devices can use to reach this server, each labelled by where it
// works: at home, anywhere a Tailscale network reaches, over another VPN, or on
// this computer only. One module for the headless command and the app, so both
// list the same addresses. With HTTPS, an address uses a name from the
// certificate that resolves to this computer (devices refuse a certificate that
// does not name the address they dialled), else the IP with a note.
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import type { AddressPlace, ClientAddress } from '../../shared/addresses.js';
import { certificateCovers } from './tls/certificate-pair.js';

export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface AddressOptions {
  /** The address listened on: 0.0.0.0 or :: for every interface, or one address. */
  readonly host: string;
  readonly port: number;
  readonly interfaces: InterfaceTable;
  /** The certificate's names, when serving HTTPS. */
  readonly certificate?: { readonly dnsNames: readonly string[]; readonly ipAddresses: readonly string[] } | null;
  /** For each of this computer's IPs, the certificate's names that resolve to it (resolveCertificateNames). */
  readonly namesByIp?: ReadonlyMap<string, readonly string[]>;
}

const LABELS: Readonly<Record<Exclude<AddressPlace, 'vpn'>, string>> = {
  home: 'at home (Wi-Fi)',
  tailscale: 'anywhere your devices run Tailscale',
  'this-computer': 'this computer only',
};

/** Tailscale hands out 100.64.0.0/10 (CGNAT space) on its own interface. */
function inTailscaleRange(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 100 && b >= 64 && b <= 127;
}

/** Bridges and host-only networks of containers and virtual machines: no phone can reach them. */
const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|lxcbr|lxdbr|cni|flannel|podman|zt)|vEthernet|VirtualBox|VMware|Hyper-V/i;

function placeOf(interfaceName: string, info: NetworkInterfaceInfo): AddressPlace | null {
  if (info.internal) return 'this-computer';
  if (info.family === 'IPv4' && info.address.startsWith('169.254.')) return null;
  if (info.family === 'IPv6' && /^fe80:/i.test(info.address)) return null;
  if (/^(tailscale|utun)/i.test(interfaceName)) return info.family === 'IPv4' && !inTailscaleRange(info.address) ? null : 'tailscale';
  if (/^(wg|wireguard)/i.test(interfaceName)) return 'vpn';
  if (VIRTUAL.test(interfaceName)) return null;
  return 'home';
}

const ORDER: readonly AddressPlace[] = ['home', 'tailscale', 'vpn', 'this-computer'];

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function clientAddresses(options: AddressOptions): ClientAddress[] {
  const everywhere = options.host === '0.0.0.0' || options.host === '::';
  const withV6 = options.host === '::' || (!everywhere && !isIPv4(options.host));
  const found: { ip: string; place: AddressPlace; interfaceName: string }[] = [];
  const seen = new Set<string>();
  for (const [interfaceName, infos] of Object.entries(options.interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv6' && !withV6) continue;
      if (!everywhere && info.address !== options.host) continue;
      const place = placeOf(interfaceName, info);
      if (place === null || seen.has(info.address)) continue;
      // Listening everywhere, loopback is offered once, as 127.0.0.1.
      if (place === 'this-computer' && everywhere && info.address !== '127.0.0.1') continue;
      seen.add(info.address);
      found.push({ ip: info.address, place, interfaceName });
    }
  }
  if (!everywhere && found.length === 0) {
    const loopback = options.host === '127.0.0.1' || options.host === '::1';
    found.push({ ip: options.host, place: loopback ? 'this-computer' : 'home', interfaceName: '' });
  }
  if (everywhere && !found.some((f) => f.place === 'this-computer'))
    found.push({ ip: '127.0.0.1', place: 'this-computer', interfaceName: 'lo' });
  found.sort((a, b) => ORDER.indexOf(a.place) - ORDER.indexOf(b.place));
  const addresses = found.map(({ ip, place, interfaceName }) => {
    const label = place === 'vpn' ? `over your VPN (${interfaceName})` : LABELS[place];
    return { ...addressFor(ip, options), ip, place, label };
  });
  // The first address is the one given to Anki (the window's big one, the tray's Copy): with HTTPS,
  // one the certificate covers and that leads here, such as the Tailscale name, before one devices refuse.
  return addresses.sort((a, b) => rank(a) - rank(b));
}

/** Other devices' addresses that work, then those a certificate does not cover, then this computer's. */
function rank(address: ClientAddress): number {
  if (address.place === 'this-computer') return 2;
  return address.note === null ? 0 : 1;
}

function addressFor(ip: string, options: AddressOptions): { url: string; note: string | null } {
  const port = options.port;
  const certificate = options.certificate;
  if (certificate === undefined || certificate === null) return { url: `http://${urlHost(ip)}:${port}/`, note: null };
  const name = (options.namesByIp?.get(ip) ?? []).find((n) => certificateCovers(certificate, n));
  if (name !== undefined) return { url: `https://${name}:${port}/`, note: null };
  if (certificateCovers(certificate, ip)) return { url: `https://${urlHost(ip)}:${port}/`, note: null };
  const names = [...certificate.dnsNames, ...certificate.ipAddresses];
  return {
    url: `https://${urlHost(ip)}:${port}/`,
    note:
      names.length === 0
        ? 'The certificate names no address, so devices will refuse this one.'
        : `The certificate is for ${names.join(', ')}, not ${ip}, so devices will refuse this address. Use a name from the certificate that leads to this computer.`,
  };
}

/**
 * For each of this computer's IPs, the certificate's DNS names that resolve to
 * it (MagicDNS resolves `machine.tailnet.ts.net` to the Tailscale address).
 * Wildcard names cannot be looked up, and a name that does not resolve is left out.
 */
export async function resolveCertificateNames(
  dnsNames: readonly string[],
  resolve: (name: string) => Promise<readonly string[]> = async (name) => (await lookup(name, { all: true })).map((a) => a.address),
): Promise<Map<string, string[]>> {
  const byIp = new Map<string, string[]>();
  await Promise.all(
    dnsNames
      .filter((name) => !name.startsWith('*.'))
      .map(async (name) => {
        const ips = await resolve(name).catch(() => [] as readonly string[]);
        for (const ip of ips) byIp.set(ip, [...(byIp.get(ip) ?? []), name]);
      }),
  );
  // Keep the certificate's own order of names for each address.
  for (const [ip, names] of byIp)
    byIp.set(
      ip,
      dnsNames.filter((n) => names.includes(n)),
    );
  return byIp;
}

/** When no address reaches other devices: what to do, in words; null when one does. */
export function addressWarning(addresses: readonly ClientAddress[], listensEverywhere: boolean): string | null {
  if (addresses.some((a) => a.place !== 'this-computer')) return null;
  if (!listensEverywhere) {
    return 'The server only accepts this computer. To sync phones and other computers, choose "All networks".';
  }
  return "This computer isn't connected to a network, so phones can't reach it. Connect to Wi-Fi or Ethernet.";
}
