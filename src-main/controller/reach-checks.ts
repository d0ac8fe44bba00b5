// How devices reach this computer, looked at again every minute while the
// server runs (issue 25): the `.local` name asked for again, a DHCP move told
// once, the Tailscale name asked for while there is a Tailscale address, and
// the home certificate re-issued when it misses a name or nears its end. Split
// out of app-controller.ts, which keeps the timer and the commands.
import { clientAddresses, tailscaleName } from '../server/index.js';
import type { ClientAddress } from '../shared/ipc.js';
import type { AppSettings } from '../settings/settings.js';
import { certificateNames, type HomeCertificate, localName } from './home-certificate.js';
import type { LiveView } from './live-view.js';
import { addressChangeNotice, homeAddresses, type StableName } from './stable-name.js';

export interface ReachChecksOptions {
  settings(): AppSettings;
  readonly view: LiveView;
  readonly home: HomeCertificate;
  /** The `.local` name the app answers for itself; null when the options give one. */
  readonly stable: StableName | null;
  currentPort(): number;
  /** The `.local` name shown, when it answers. */
  stableName(): string | null;
  /** This computer's MagicDNS name (server/reach/tailscale-name.ts); by default a real `tailscale` on PATH. */
  readonly tailscaleName?: () => Promise<string | null>;
  readonly log?: (message: string, error?: unknown) => void;
}

export class ReachChecks {
  /** The MagicDNS name Tailscale last gave, while this computer has a Tailscale address. */
  private tailscaleDns: string | null = null;

  constructor(private readonly options: ReachChecksOptions) {}

  /** This computer's addresses, whatever the bind. */
  private everyAddress(): ClientAddress[] {
    return clientAddresses({ host: '0.0.0.0', port: this.options.currentPort(), interfaces: this.options.view.interfaces() });
  }

  /**
   * The names the home certificate must cover now: the `.local` name, the
   * Tailscale name, and every address of this computer (all of them, whatever
   * the bind, so that choosing "All networks" later needs no new certificate).
   */
  namesForCertificate(): string[] {
    const plain = this.everyAddress();
    const tailscale = plain.some((address) => address.place === 'tailscale') ? this.tailscaleDns : null;
    // The computer's own name is covered even before it answers: it may answer later, on another network.
    return certificateNames(plain, this.options.stableName() ?? localName(), tailscale);
  }

  /** Asks Tailscale for this computer's name while it has a Tailscale address. */
  async refreshTailscaleName(): Promise<void> {
    if (!this.everyAddress().some((address) => address.place === 'tailscale')) return;
    const name = await (this.options.tailscaleName ?? tailscaleName)();
    // A name gone (Tailscale stopped, logged out) needs no new certificate: the one it has still serves the rest.
    if (name !== null) this.tailscaleDns = name;
  }

  /**
   * Looks at the addresses again: while the home certificate is served, it is
   * re-issued when it misses one of them (the Tailscale name included, once
   * Tailscale has said it) or nears its end; the server's watcher then serves
   * it. Runs every minute while the server runs, and at start.
   */
  check(now?: number): Promise<void> {
    if (this.options.settings().bindAddress === 'all-interfaces')
      void this.options.stable?.refresh().catch((error) => this.options.log?.('.local name', error));
    this.checkAddressChange();
    // Tailscale is asked first, so that its coming up (a new address and a new name) is one re-issue.
    return this.refreshTailscaleName().then(
      () => this.renewHomeCertificate(now),
      (error: unknown) => this.options.log?.('Tailscale name', error),
    );
  }

  private renewHomeCertificate(now?: number): void {
    try {
      if (this.options.home.inUse(this.options.settings())) {
        const result = this.options.home.ensure(this.namesForCertificate(), now);
        if (result.issued !== null) {
          const why = result.issued === 'expiring' || result.issued === 'names-changed' ? result.issued : 'again';
          this.options.view.record({ kind: 'home-certificate-renewed', why });
        }
      }
    } catch (error) {
      this.options.log?.('home certificate renewal', error);
    }
  }

  /** DHCP moved this computer: said once, in the window (until a device syncs again), the activity list and the log. */
  private checkAddressChange(): void {
    const settings = this.options.settings();
    if (settings.bindAddress !== 'all-interfaces') return;
    const now = homeAddresses(this.options.view.interfaces());
    const https = settings.tlsCertFile !== '' && settings.tlsKeyFile !== '';
    const notice = addressChangeNotice(
      settings.lastAddresses,
      now,
      this.options.currentPort(),
      this.options.stableName(),
      https ? 'https' : 'http',
    );
    if (notice === null) return;
    this.options.log?.(notice);
    this.options.view.remember({ lastAddresses: now });
    this.options.view.addressChanged(notice);
  }
}
