// When an account has gone quiet: no request of it running or waiting for a
// set time. Its files are then closed (user.ts), so the server's memory
// follows the accounts in use, not every account that ever synced: each open
// collection holds up to its page cache (storage/collection-file.ts) and each
// media.db its own (media/database/). They reopen on the next request, as
// after a storage change. What they freed goes back to the system, not only to
// malloc (free-memory.ts).

export class QuietTimer {
  private timer: NodeJS.Timeout | null = null;
  /** Requests of the account running or waiting for its lock. */
  private holders = 0;

  /** `delayMs` 0 never fires. */
  constructor(
    private readonly delayMs: number,
    private readonly onQuiet: () => void,
  ) {}

  /** A request of the account arrived: not quiet until it and every other one has finished. */
  enter(): void {
    this.holders++;
    this.cancel();
  }

  /** A request finished; with none left, the quiet period starts. */
  leave(): void {
    this.holders = Math.max(0, this.holders - 1);
    if (this.holders === 0) this.restart();
  }

  /** True while no request of the account runs or waits. */
  isQuiet(): boolean {
    return this.holders === 0;
  }

  /** Starts the quiet period again (files opened outside a request, or a close put off). */
  restart(): void {
    this.cancel();
    if (this.delayMs <= 0 || this.holders > 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.holders === 0) this.onQuiet();
    }, this.delayMs);
    // A quiet account never keeps the process alive.
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
