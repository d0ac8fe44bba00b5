// When to look for a new version of the app, and when installing one is safe.
// The Anki manual warns that newer clients may need a newer server, so a tray
// app that never updates breaks its users silently. The updater itself
// (electron-updater and GitHub releases, in src-main/app/updater.ts) sits behind
// the small Updater interface, so these rules run and are tested in plain Node.

import type { UpdateView } from '../shared/ipc.js';
import { AppError } from './errors.js';

export interface Updater {
  /**
   * Looks for a newer release and downloads it. Resolves with its version once
   * it is ready to install, or null when this version is the newest.
   */
  checkAndDownload(): Promise<string | null>;
  /** Quits and installs the downloaded version; `restart` starts the new one after. */
  installNow(restart: boolean): void;
  /**
   * false: this copy cannot install updates (a Mac build without a Developer ID
   * signature, controller/mac-signature.ts), so checkAndDownload only looks and
   * downloads nothing, and a new version is offered as a download instead.
   */
  readonly canInstall?: boolean;
}

/** Where a new version is downloaded by hand: the releases electron-builder.yml `publish` names. */
export const RELEASES_URL = 'https://github.com/anki-home-sync/anki-home-sync/releases/latest';

/** What the window and the tray show (shared/ipc.ts). */
export type UpdateStatus = UpdateView;

export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

export interface UpdateRules {
  readonly updater: Updater;
  /** The learner's setting. */
  enabled(): boolean;
  /** Names of the accounts syncing right now; an update never interrupts them. */
  syncing(): readonly string[];
  changed(): void;
  log?: ((message: string, error?: unknown) => void) | undefined;
  readonly checkEveryMs?: number;
}

export class UpdateChecks {
  private current: UpdateStatus;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;

  constructor(private readonly rules: UpdateRules) {
    this.current = rules.enabled() ? { state: 'idle' } : { state: 'off' };
  }

  get status(): UpdateStatus {
    return this.current;
  }

  /** Checks now, then once a day while checking is on. */
  start(): void {
    this.stop();
    if (!this.rules.enabled()) {
      this.set(this.current.state === 'ready' || this.current.state === 'available' ? this.current : { state: 'off' });
      return;
    }
    if (this.current.state === 'off') this.set({ state: 'idle' });
    void this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.rules.checkEveryMs ?? CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The setting changed: start or stop checking. A version already downloaded stays ready. */
  settingChanged(): void {
    this.start();
  }

  /** One check at a time; a failed check is logged and tried again at the next turn. */
  checkNow(): Promise<void> {
    if (!this.rules.enabled() || this.current.state === 'ready') return Promise.resolve();
    this.checking ??= (async () => {
      this.set({ state: 'checking' });
      try {
        const version = await this.rules.updater.checkAndDownload();
        if (version === null) this.set({ state: 'idle' });
        else if (this.rules.updater.canInstall === false) {
          this.rules.log?.(`version ${version} is available; this copy cannot install it by itself`);
          this.set({ state: 'available', version, url: RELEASES_URL });
        } else {
          // The release workflow's update proof waits for this line in the log.
          this.rules.log?.(`version ${version} is downloaded and ready to install`);
          this.set({ state: 'ready', version });
        }
      } catch (error) {
        this.rules.log?.('update check failed', error);
        this.set({ state: 'idle' });
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  /** The learner agreed: install now, unless a device is syncing. */
  installNow(): void {
    if (this.current.state !== 'ready') {
      throw new AppError('no-update', 'There is no new version to install yet.');
    }
    const syncing = this.rules.syncing();
    if (syncing.length > 0) {
      throw new AppError(
        'sync-in-progress',
        `${syncing.join(' and ')} ${syncing.length === 1 ? 'is' : 'are'} syncing right now. Install the update when the sync has finished.`,
      );
    }
    this.rules.updater.installNow(true);
  }

  /** On quit, after syncs have drained: a downloaded version installs now, without restarting. */
  installOnQuit(): boolean {
    if (this.current.state !== 'ready') return false;
    this.rules.updater.installNow(false);
    return true;
  }

  private set(status: UpdateStatus): void {
    this.current = status;
    this.rules.changed();
  }
}
