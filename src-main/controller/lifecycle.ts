// The app's life from launch to exit, in plain Node: the order of start-up, the
// quitting flag, draining the server before the process ends, installing a
// downloaded update on quit (with a watchdog, so an install that cannot happen
// never leaves a process hanging without a server), starting the server again
// when "restart and install" fails, a second launch, and the system ending the
// session. src-main/app/main.ts forwards Electron's events here and decides
// nothing; test/controller/lifecycle.test.ts drives this class with an event source
// shaped like Electron's `app`.
//
// Every listener is registered in the constructor, before the first await: a
// quit (the tray, Cmd-Q, SIGTERM, a second launch with --quit) that arrives
// while the app is still starting is never lost. It waits until start-up has
// built what it was building, then drains and exits.

import type { Updater } from './updates.js';
import { launchCommand } from './launch-switches.js';

/** The event Electron passes to before-quit, powerMonitor's shutdown and the session-end events. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's `app` that the lifecycle listens to and calls. */
export interface AppEventSource {
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string, additionalData: unknown) => void,
  ): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  whenReady(): Promise<unknown>;
  quit(): void;
  exit(exitCode?: number): void;
}

/** What the lifecycle needs of the controller (AppController has all of it). */
export interface LifecycleController {
  settings(): { readonly users: readonly unknown[] };
  start(): Promise<void>;
  /** Stops the server, letting syncs in progress finish; for an update, devices that sync meanwhile are told so in Anki. */
  shutdown(reason?: 'update'): Promise<void>;
  syncingUsers(): string[];
  readonly updates: { start(): void; stop(): void; installOnQuit(): boolean };
  /** Says in the activity list that a downloaded version could not be installed. */
  updateNotInstalled(reason: string): void;
}

/** What start-up built: the controller and the two things the lifecycle touches on the way out. */
export interface RunningApp {
  readonly controller: LifecycleController;
  showWindow(): void;
  /** Removes the tray icon before exit (Windows otherwise leaves a ghost icon until the mouse passes). */
  destroyTray(): void;
  /**
   * Writes the start-at-login entry again from the setting: at every start, because an
   * AppImage update renames the file the Linux autostart entry names.
   */
  refreshStartAtLogin(): Promise<void>;
}

export interface LifecycleOptions {
  readonly app: AppEventSource;
  readonly platform: NodeJS.Platform;
  /** Builds the app once Electron is ready (settings, controller, window, tray) without starting the server. */
  boot(): Promise<RunningApp>;
  log(message: string, error?: unknown): void;
  /** How long an update may take to quit the app into its installer before it is given up. */
  readonly installWatchdogMs?: number;
  /** How long a drain may take before the app exits anyway (a sync cut off then is rolled back). */
  readonly drainLimitMs?: number;
  /** How long after the system said it is ending (macOS) a quit still skips the drain. */
  readonly systemEndingMs?: number;
}

export const INSTALL_WATCHDOG_MS = 20_000;
export const DRAIN_LIMIT_MS = 120_000;
const SYSTEM_ENDING_MS = 60_000;

/**
 * booting → running → draining → exiting, or → installing (quit with an update
 * ready) → exiting. `updating` is "restart and install": drained, waiting for
 * the installer to take over; back to running if it does not.
 */
export type LifecyclePhase = 'booting' | 'running' | 'updating' | 'draining' | 'installing' | 'exiting';

export class AppLifecycle {
  private phaseNow: LifecyclePhase = 'booting';
  private runningApp: RunningApp | null = null;
  private quitRequested = false;
  private showRequested = false;
  /** Set while the system is ending the session on macOS: a quit then goes at once. */
  private systemEnding = false;
  private systemEndingTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** "Restart and install" has handed over to the updater, which quits the app next. */
  private installerStarted = false;
  private exited = false;
  private readonly startupDone: Promise<void>;
  private markStartupDone!: () => void;

  constructor(private readonly options: LifecycleOptions) {
    this.startupDone = new Promise((resolve) => (this.markStartupDone = resolve));
    const { app } = options;
    app.on('before-quit', (event) => this.beforeQuit(event));
    app.on('second-instance', (_event, argv, _cwd, additionalData) => this.secondLaunch(argv, additionalData));
    app.on('activate', () => this.show());
    // The tray keeps the app alive with no window open (and, on a desktop without a tray, the server).
    app.on('window-all-closed', () => undefined);
  }

  get phase(): LifecyclePhase {
    return this.phaseNow;
  }

  /** Whether the app is on its way out: the window's close then really closes. */
  get quitting(): boolean {
    return this.phaseNow === 'draining' || this.phaseNow === 'installing' || this.phaseNow === 'exiting' || this.systemEnding;
  }

  /** Start-up, in order: Electron ready, the app built, the server started (if it has accounts), update checks. */
  async start(): Promise<void> {
    try {
      await this.options.app.whenReady();
      if (this.quitRequested) return;
      const running = await this.options.boot();
      this.runningApp = running;
      if (this.showRequested) running.showWindow();
      if (this.quitRequested) return;
      await running.refreshStartAtLogin().catch((error) => this.options.log('start at login', error));
      if (running.controller.settings().users.length > 0) {
        // A failure shows in the window and the tray; the app stays up so the learner can fix it.
        await running.controller.start().catch(() => undefined);
      }
      if (this.quitRequested) return;
      running.controller.updates.start();
      this.phaseNow = 'running';
    } catch (error) {
      this.options.log('start-up failed', error);
      this.exitNow(1);
    } finally {
      this.markStartupDone();
    }
  }

  /** Resolves once start-up has finished, one way or the other. */
  started(): Promise<void> {
    return this.startupDone;
  }

  /** The tray's and the menu's Quit: Electron's quit, so it takes the same path as Cmd-Q and SIGTERM. */
  quit(): void {
    this.options.app.quit();
  }

  /**
   * Wraps the app's updater so that "restart and install" drains the server first
   * and starts it again when the install does not take over.
   */
  guardUpdater(inner: Updater): Updater {
    return {
      ...(inner.canInstall === undefined ? {} : { canInstall: inner.canInstall }),
      checkAndDownload: () => inner.checkAndDownload(),
      installNow: (restart) => {
        if (restart) void this.installAndRestart(inner);
        else inner.installNow(false);
      },
    };
  }

  /** The updater reported an error (electron-updater's 'error' event). */
  updateError(error: unknown): void {
    if (this.phaseNow === 'installing') {
      this.options.log('the update could not be installed on quit; quitting without it', error);
      this.exitNow(0);
    } else if (this.phaseNow === 'updating') {
      void this.resumeAfterFailedInstall(error);
    } else {
      // A failed check or download: UpdateChecks tries again at its next turn.
      this.options.log('updater', error);
    }
  }

  /**
   * powerMonitor's 'shutdown' (Linux and macOS): the system is shutting down or
   * the user logging out. macOS asks every app to quit and takes a held-up quit
   * as a refusal, which cancels the logout: the quit that follows goes at once,
   * and a sync cut off is rolled back by SQLite. Linux (logind) waits for us
   * while we hold its event: drain, then exit.
   */
  systemShutdown(event: PreventableEvent | undefined): void {
    if (this.options.platform === 'darwin') {
      this.systemEnding = true;
      if (this.systemEndingTimer !== null) clearTimeout(this.systemEndingTimer);
      // If another app cancels the logout, quitting later drains as usual.
      this.systemEndingTimer = setTimeout(() => {
        this.systemEnding = false;
        this.systemEndingTimer = null;
      }, this.options.systemEndingMs ?? SYSTEM_ENDING_MS);
      this.systemEndingTimer.unref?.();
      return;
    }
    event?.preventDefault();
    this.beginQuit(false);
  }

  /**
   * Windows asks before ending the session (a window's 'query-session-end').
   * While a device syncs the answer is "wait": the drain runs, and the app exits
   * when it is done, which lets the session end.
   */
  sessionEndQuery(event: PreventableEvent): void {
    if ((this.runningApp?.controller.syncingUsers().length ?? 0) === 0) return;
    event.preventDefault();
    this.beginQuit(false);
  }

  /** Windows ends the session (a window's 'session-end'): drain, then exit. */
  sessionEnd(): void {
    this.beginQuit(false);
  }

  // ---- internals ------------------------------------------------------

  private beforeQuit(event: PreventableEvent): void {
    switch (this.phaseNow) {
      case 'installing':
      case 'exiting':
        // The installer (or our own exit) is taking the app down: let it.
        return;
      case 'updating':
        if (this.installerStarted) {
          // electron-updater quits the app into the installer it has started.
          this.phaseNow = 'exiting';
          return;
        }
        // The learner quit while the server drained for the update: quit, installing on the way out.
        event.preventDefault();
        this.beginQuit(true);
        return;
      case 'draining':
        event.preventDefault();
        return;
      case 'booting':
      case 'running':
        if (this.systemEnding) {
          this.phaseNow = 'exiting';
          // No waiting, so the logout goes on; stopping closes the listener and rolls back open syncs.
          void this.runningApp?.controller.shutdown().catch((error) => this.options.log('stopping at logout', error));
          return;
        }
        event.preventDefault();
        this.beginQuit(true);
    }
  }

  /** Drains, then exits (or installs, on a learner's quit with an update ready). Once. */
  private beginQuit(mayInstall: boolean): void {
    if (this.phaseNow !== 'booting' && this.phaseNow !== 'running' && this.phaseNow !== 'updating') return;
    this.quitRequested = true;
    this.phaseNow = 'draining';
    void this.startupDone.then(() => this.drainAndExit(mayInstall));
  }

  private async drainAndExit(mayInstall: boolean): Promise<void> {
    const running = this.runningApp;
    if (running === null) return this.exitNow(0);
    running.controller.updates.stop();
    await this.drain(running);
    if (!mayInstall) return this.exitNow(0);
    // electron-updater quits the app into the installer; if it cannot (an unsigned Mac,
    // pkexec cancelled, the installer failing to start), it says so (updateError) or the
    // watchdog ends the app. Both are armed first: the updater may report at once.
    this.phaseNow = 'installing';
    this.armWatchdog(() => {
      this.options.log('the update did not take over; quitting without it');
      this.exitNow(0);
    });
    let installing = false;
    try {
      installing = running.controller.updates.installOnQuit();
    } catch (error) {
      this.options.log('the update could not be installed on quit', error);
    }
    if (installing) this.options.log('installing the downloaded version on quit');
    else this.exitNow(0);
  }

  /** Stops the server, syncs in progress finishing first, within the drain limit. */
  private async drain(running: RunningApp, reason?: 'update'): Promise<void> {
    let limit: NodeJS.Timeout | null = null;
    const timedOut = new Promise<void>((resolve) => {
      limit = setTimeout(() => {
        this.options.log('syncs still running at the drain limit; exiting anyway (they are rolled back)');
        resolve();
      }, this.options.drainLimitMs ?? DRAIN_LIMIT_MS);
    });
    try {
      await Promise.race([running.controller.shutdown(reason).catch((error) => this.options.log('stopping the server', error)), timedOut]);
    } finally {
      if (limit !== null) clearTimeout(limit);
    }
  }

  private async installAndRestart(inner: Updater): Promise<void> {
    const running = this.runningApp;
    if (running === null || this.phaseNow !== 'running') return;
    this.phaseNow = 'updating';
    running.controller.updates.stop();
    await this.drain(running, 'update');
    if (this.phaseNow !== 'updating') return;
    this.options.log('installing the downloaded version and restarting');
    this.armWatchdog(() => void this.resumeAfterFailedInstall(new Error('the installer did not take over')));
    this.installerStarted = true;
    try {
      inner.installNow(true);
    } catch (error) {
      await this.resumeAfterFailedInstall(error);
    }
  }

  /** "Restart and install" failed: this version carries on, its server started again. */
  private async resumeAfterFailedInstall(error: unknown): Promise<void> {
    if (this.phaseNow !== 'updating') return;
    this.clearWatchdog();
    this.installerStarted = false;
    this.phaseNow = 'running';
    this.options.log('the update could not be installed; starting the server again', error);
    const running = this.runningApp;
    if (running === null) return;
    running.controller.updateNotInstalled(error instanceof Error ? error.message : String(error));
    if (running.controller.settings().users.length > 0) await running.controller.start().catch(() => undefined);
    running.controller.updates.start();
  }

  private secondLaunch(argv: readonly string[], additionalData: unknown): void {
    if (launchCommand(argv, additionalData) === 'quit') this.quit();
    else this.show();
  }

  private show(): void {
    if (this.runningApp === null) this.showRequested = true;
    else this.runningApp.showWindow();
  }

  private armWatchdog(onExpiry: () => void): void {
    this.clearWatchdog();
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      onExpiry();
    }, this.options.installWatchdogMs ?? INSTALL_WATCHDOG_MS);
  }

  private clearWatchdog(): void {
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private exitNow(code: number): void {
    this.phaseNow = 'exiting';
    if (this.exited) return;
    this.exited = true;
    this.clearWatchdog();
    try {
      this.runningApp?.destroyTray();
    } catch (error) {
      this.options.log('removing the tray icon', error);
    }
    this.options.app.exit(code);
  }
}

/** The first launch shows the window (there is an account to create); later ones may start in the tray. */
export function showWindowAtStart(
  settings: { readonly users: readonly unknown[]; readonly startInTray: boolean },
  atLogin: boolean,
): boolean {
  return settings.users.length === 0 || !(settings.startInTray || atLogin);
}
