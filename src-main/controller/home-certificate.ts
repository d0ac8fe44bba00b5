// "Make my own certificate": the window's side of the home certificate authority
// (server/reach/home-authority.ts). The root and the pair live in one folder
// beside the settings, outside the storage folder the server serves from; the
// iOS profile of the root is written beside them. While the app serves that
// pair, it asks every few minutes whether the certificate still covers every
// address it shows and is far from its end; if not, it is re-issued under the
// same root, and the server's certificate watcher serves it to new connections.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  appleRootProfile,
  ROOT_PROFILE_PATH,
  ensureHomeCertificate,
  homeAuthorityFiles,
  rootCertificatePem,
  type EnsureResult,
  type HomeAuthorityFiles,
} from '../server/index.js';
import type { ClientAddress } from '../shared/addresses.js';
import type { HomeCertificateView } from '../shared/ipc.js';

export const APPLE_PROFILE = 'anki-home-sync-root.mobileconfig';

/** This computer's name as mDNS announces it: its first label, as a DNS label. */
export function localName(host: string = hostname()): string | null {
  const label = host
    .split('.')[0]!
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return label === '' ? null : `${label}.local`;
}

/** Every name and address devices may use: the addresses shown, the `.local` and Tailscale names, and this computer's own. */
export function certificateNames(
  addresses: readonly ClientAddress[],
  stableName: string | null,
  tailscaleName: string | null = null,
): string[] {
  const names: string[] = [];
  if (stableName !== null) names.push(stableName);
  if (tailscaleName !== null) names.push(tailscaleName);
  for (const address of addresses) if (address.place !== 'this-computer') names.push(address.ip);
  names.push('localhost', '127.0.0.1');
  return names;
}

/**
 * Where an iPhone opens the profile: the server's path on the first address a
 * device can reach (the `.local` name first, when it answers), or null.
 */
export function profileUrlOf(addresses: readonly ClientAddress[]): string | null {
  const reachable = addresses.find((address) => address.place !== 'this-computer');
  return reachable === undefined ? null : `${reachable.url}${ROOT_PROFILE_PATH.slice(1)}`;
}

export class HomeCertificate {
  readonly files: HomeAuthorityFiles;

  constructor(readonly folder: string) {
    this.files = homeAuthorityFiles(folder);
  }

  /** Whether the app serves this authority's pair. */
  inUse(settings: { readonly tlsCertFile: string; readonly tlsKeyFile: string }): boolean {
    return settings.tlsCertFile === this.files.serverCert && settings.tlsKeyFile === this.files.serverKey;
  }

  /** Makes (or keeps) the root and a pair for `names`; writes the iOS profile. */
  ensure(names: readonly string[], now?: number): EnsureResult {
    const result = ensureHomeCertificate(this.folder, names, now === undefined ? {} : { now });
    if (result.newRoot || result.issued !== null)
      writeFileSync(this.profileFile(), appleRootProfile(rootCertificatePem(this.folder)), { mode: 0o644 });
    return result;
  }

  profileFile(): string {
    return join(this.folder, APPLE_PROFILE);
  }

  view(names: readonly string[], validTo: number, profileUrl: string | null): HomeCertificateView {
    return {
      rootPem: rootCertificatePem(this.folder),
      rootFile: this.files.rootCert,
      profileFile: this.profileFile(),
      profileUrl,
      names,
      validTo,
    };
  }
}
