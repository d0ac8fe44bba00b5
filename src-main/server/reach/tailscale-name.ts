// This computer's MagicDNS name on its Tailscale network (machine.tailnet.ts.net),
// for the home certificate: a device away from home dials that name, and refuses
// a certificate that does not carry it. Tailscale's own CLI knows the name
// (`tailscale status --json`, its Self.DNSName); where the CLI is missing, not
// running or says nothing usable, there is simply no name, never an error.
import { execFile } from 'node:child_process';
import { clientAddresses, type InterfaceTable } from './client-addresses.js';

/** How long `tailscale status` may take; a stuck daemon must not hold up the certificate. */
const STATUS_TIMEOUT_MS = 5_000;
/** A DNS name of letters, digits and hyphens in dotted labels: nothing else goes into a certificate. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface TailscaleNameOptions {
  /** The environment `tailscale` is looked up in (its PATH); this process's by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Reads Self.DNSName from `tailscale status --json`'s output; null when there is none. */
export function dnsNameFromStatus(json: string): string | null {
  let status: unknown;
  try {
    status = JSON.parse(json);
  } catch {
    return null;
  }
  const self = (status as { Self?: { DNSName?: unknown } } | null)?.Self;
  if (typeof self?.DNSName !== 'string') return null;
  const name = self.DNSName.trim().toLowerCase().replace(/\.$/, '');
  return DNS_NAME.test(name) ? name : null;
}

/** This computer's MagicDNS name, or null (no CLI, logged out, MagicDNS off, a failure). Never rejects. */
export function tailscaleName(options: TailscaleNameOptions = {}): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      execFile(
        'tailscale',
        ['status', '--json'],
        { env: options.env ?? process.env, timeout: STATUS_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (error, stdout) => resolve(error === null ? dnsNameFromStatus(stdout) : null),
      );
    } catch {
      resolve(null);
    }
  });
}

/**
 * The names a certificate keeps: `names`, and this computer's Tailscale name
 * while `interfaces` hold a Tailscale address; a renamed machine's old
 * `.ts.net` name gives way to the new one. Tailscale is not asked otherwise.
 */
export async function withTailscaleName(
  names: readonly string[],
  interfaces: InterfaceTable,
  options: TailscaleNameOptions = {},
): Promise<string[]> {
  const onTailscale = clientAddresses({ host: '0.0.0.0', port: 0, interfaces }).some((address) => address.place === 'tailscale');
  const tailscale = onTailscale ? await tailscaleName(options) : null;
  if (tailscale === null) return [...names];
  return [...names.filter((name) => !name.toLowerCase().endsWith('.ts.net')), tailscale];
}
