// Renewal without a restart: `tailscale cert` and ACME tools replace the
// certificate and key every 60–90 days. Both files are watched (file-watch.ts:
// their stat is polled, which survives the rename-over that those tools do); once
// they have been quiet for a moment, the pair is loaded again and handed to the
// TLS server for new connections. Connections already open, and the syncs on them, keep the
// context they were made with. A pair that fails to load leaves the old one in
// use, and says so.
import { SettledFileWatch, type FileWatchOptions } from '../../config/file-watch.js';
import { CertificateError, loadCertificatePair, type CertificatePair } from './certificate-pair.js';

export type ReloadOutcome = { readonly ok: true; readonly pair: CertificatePair } | { readonly ok: false; readonly reason: string };

/** How often each file's stat is polled, and how long both must be unchanged before the pair is read. */
export type WatcherOptions = FileWatchOptions;

export class CertificateWatcher {
  private watch: SettledFileWatch | null = null;

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
    // Tools write the two files one after the other: the pair is read once both are quiet.
    this.watch = new SettledFileWatch([this.pair.certFile, this.pair.keyFile], () => this.reload(), {
      pollMs: this.options.pollMs ?? 5_000,
      settleMs: this.options.settleMs ?? 1_000,
    });
    this.watch.start();
  }

  stop(): void {
    this.watch?.stop();
    this.watch = null;
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
}
