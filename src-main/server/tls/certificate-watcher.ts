// Renewal without a restart: `tailscale cert` and ACME tools replace the
// certificate and key every 60–90 days. Both files are watched (by polling their
// stat, which survives the rename-over that those tools do); once they have been
// quiet for a moment, the pair is loaded again and handed to the TLS server for
// new connections. Connections already open, and the syncs on them, keep the
// context they were made with. A pair that fails to load leaves the old one in
// use, and says so.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { CertificateError, loadCertificatePair, type CertificatePair } from './certificate-pair.js';

export type ReloadOutcome = { readonly ok: true; readonly pair: CertificatePair } | { readonly ok: false; readonly reason: string };

export interface WatcherOptions {
  /** How often each file's stat is polled. */
  readonly pollMs?: number;
  /** How long both files must be unchanged before the pair is read (tools write them one after the other). */
  readonly settleMs?: number;
}

export class CertificateWatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    this.changed();
  };

  constructor(
    private pair: CertificatePair,
    private readonly apply: (pair: CertificatePair) => void,
    private readonly report: (outcome: ReloadOutcome) => void,
    private readonly options: WatcherOptions = {},
  ) {}

  get current(): CertificatePair {
    return this.pair;
  }

  start(): void {
    const interval = this.options.pollMs ?? 5_000;
    for (const file of this.files()) watchFile(file, { interval, persistent: false }, this.listener);
  }

  stop(): void {
    for (const file of this.files()) unwatchFile(file, this.listener);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Reads the pair again now; what the file watch does once the files are quiet. */
  reload(): ReloadOutcome {
    let outcome: ReloadOutcome;
    try {
      const pair = loadCertificatePair(this.pair.certFile, this.pair.keyFile);
      this.apply(pair);
      this.pair = pair;
      outcome = { ok: true, pair };
    } catch (error) {
      outcome = {
        ok: false,
        reason: error instanceof CertificateError ? error.message : `the new certificate could not be used: ${String(error)}`,
      };
    }
    this.report(outcome);
    return outcome;
  }

  private changed(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload();
    }, this.options.settleMs ?? 1_000);
    this.timer.unref();
  }

  private files(): string[] {
    return [...new Set([this.pair.certFile, this.pair.keyFile])];
  }
}
