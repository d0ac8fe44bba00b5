// The HTTPS certificate the server serves: loaded and checked before anything
// listens, renewed while it runs (certificate-watcher.ts), and reported to the
// log and the activity list: expiring soon, renewed, or a renewal that failed.
import { createServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { ActivityEvent } from '../../protocol.js';
import type { Logger } from '../../report/log.js';
import { ServerStartError } from '../listen.js';
import { CertificateError, expiryWarning, loadCertificatePair, type CertificatePair } from './certificate-pair.js';
import { CertificateWatcher, type ReloadOutcome, type WatcherOptions } from './certificate-watcher.js';

/** What the window and the log say about the HTTPS certificate in use. */
export type { WatcherOptions } from './certificate-watcher.js';

export interface CertificateStatus {
  readonly certFile: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validTo: number;
  /** Expired or expiring within 14 days, in words; null while it is fine. */
  readonly warning: string | null;
}

/** TLS 1.2 stays enabled: iOS clients fail without it (the Anki manual's error -9836). */
const TLS_MIN_VERSION = 'TLSv1.2';

function secureContext(pair: CertificatePair): { cert: Buffer; key: Buffer; minVersion: typeof TLS_MIN_VERSION } {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

export interface ServedCertificateOptions {
  readonly logger: Logger;
  record(event: ActivityEvent): void;
  /** How the files are watched for renewal (tests poll faster). */
  readonly watch?: WatcherOptions | undefined;
}

export class ServedCertificate {
  private watcher: CertificateWatcher | null = null;

  constructor(
    private readonly files: { readonly certFile: string; readonly keyFile: string } | undefined,
    private readonly options: ServedCertificateOptions,
  ) {}

  /**
   * The HTTP server, over TLS when a pair is configured: the pair is checked
   * first (a ServerStartError when it cannot be used), and renewals are served
   * from then on, new connections getting the new pair and open ones keeping theirs.
   */
  createServer(httpOptions: ServerOptions, onRequest: Parameters<typeof createServer>[1]): Server | HttpsServer {
    const pair = this.load();
    if (pair === null) return createServer(httpOptions, onRequest);
    const https = createHttpsServer({ ...httpOptions, ...secureContext(pair) }, onRequest);
    this.watcher = new CertificateWatcher(
      pair,
      (next) => https.setSecureContext(secureContext(next)),
      (outcome) => this.reportReload(outcome),
      this.options.watch,
    );
    this.watcher.start();
    return https;
  }

  /** The pair being served, or null over plain HTTP (the learners' expiry notice reads it). */
  get current(): CertificatePair | null {
    return this.watcher?.current ?? null;
  }

  /** The certificate being served, or null over plain HTTP. */
  status(): CertificateStatus | null {
    const pair = this.watcher?.current;
    if (pair === undefined) return null;
    return {
      certFile: pair.certFile,
      dnsNames: pair.dnsNames,
      ipAddresses: pair.ipAddresses,
      validTo: pair.validTo.getTime(),
      warning: expiryWarning(pair),
    };
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = null;
  }

  /** The configured pair, checked before anything listens; null over plain HTTP. */
  private load(): CertificatePair | null {
    if (this.files === undefined) return null;
    let pair: CertificatePair;
    try {
      pair = loadCertificatePair(this.files.certFile, this.files.keyFile);
    } catch (error) {
      if (error instanceof CertificateError) throw new ServerStartError(error.message, { cause: error });
      throw error;
    }
    const warning = expiryWarning(pair);
    if (warning !== null) {
      this.options.logger.warn(warning, { cert: pair.certFile });
      this.options.record({ kind: 'certificate', username: '', clientIp: '', at: Date.now(), detail: warning, warning: true });
    }
    return pair;
  }

  private reportReload(outcome: ReloadOutcome): void {
    const at = Date.now();
    if (outcome.ok) {
      const until = outcome.pair.validTo.toISOString().slice(0, 10);
      this.options.logger.info('certificate renewed', { cert: outcome.pair.certFile, until });
      const warning = expiryWarning(outcome.pair);
      this.options.record({
        kind: 'certificate',
        username: '',
        clientIp: '',
        at,
        detail: warning ?? `The HTTPS certificate was renewed; it is valid until ${until}. Syncs in progress were not interrupted.`,
        warning: warning !== null,
      });
    } else {
      this.options.logger.warn('certificate not renewed; the old one stays in use', { reason: outcome.reason });
      this.options.record({
        kind: 'certificate',
        username: '',
        clientIp: '',
        at,
        detail: `The certificate files changed, but the new pair could not be used, so the old one stays in use. ${outcome.reason}`,
        failed: true,
      });
    }
  }
}
