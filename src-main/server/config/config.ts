// One typed description of how the server runs. The headless command builds it
// from the official server's environment variables (config-from-env.ts); the app
// builds it from its settings store. Nothing else reads process.env.

import type { ClientIpSource } from '../http/client-ip.js';
import type { ServerLimits } from './config-schema.js';

export { DEFAULT_HOST, DEFAULT_MAX_PAYLOAD_MEGS, DEFAULT_PORT, DEFAULT_LIMITS, type ServerLimits } from './config-schema.js';

export type PasswordSecret =
  /** SYNC_USERn=name:password without PASSWORDS_HASHED. */
  | { readonly kind: 'plain'; readonly password: string }
  /** A PHC string: pbkdf2-sha256, pbkdf2-sha512 or argon2id, validated when the config is built. */
  | { readonly kind: 'phc'; readonly phc: string };

export interface UserAccount {
  readonly name: string;
  readonly secret: PasswordSecret;
  /**
   * hex(sha1(whole SYNC_USERn value)), exactly as the official server derives it, so
   * devices logged in to it stay logged in after a switch. The app uses name:<phc>.
   */
  readonly hostKey: string;
}

export interface ServerConfig {
  /** An IP literal; 0.0.0.0 listens on every interface. */
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** SYNC_BASE: one folder per user below it. */
  readonly baseFolder: string;
  readonly maxPayloadMegs: number;
  readonly users: readonly UserAccount[];
  /** SYNC_IP_HEADER: where the logged client address comes from; ConnectInfo (the socket) when absent. */
  readonly ipHeader?: ClientIpSource;
  /** Caps on connections, bodies and requests; each missing one takes its default (config-schema.ts). */
  readonly limits?: Partial<ServerLimits>;
  /** SYNC_TLS_CERT and SYNC_TLS_KEY: serve HTTPS with this PEM pair (the certificate file may hold the chain). */
  readonly tls?: TlsFiles;
  /**
   * SYNC_LOW_SPACE_MEGS: below this much free space on SYNC_BASE's disk the
   * owner and the learners are warned; by default 256 MiB, or twice an
   * account's collection and media when that is more (storage/storage-space.ts).
   */
  readonly lowSpaceMegs?: number;
  /**
   * The home certificate authority's folder (reach/home-authority.ts), whose
   * root is offered to iPhones as a profile at /home-root.mobileconfig. By
   * default the folder of the served pair, when the authority made that pair.
   */
  readonly homeAuthorityFolder?: string;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}
