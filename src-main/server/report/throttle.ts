// The one throttle of what the server reports: a flood (a scanner, a device
// retrying every sync, made-up client versions) must neither fill the log nor
// push everything else out of the activity list. Two shapes of the same rule:
// at most N in each window, and once per key in each window, with the keys
// remembered bounded.

/** At most `perWindow` in each window; a window starts with the first take after the last one ended. */
export class WindowQuota {
  private used = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    /** Told when a window ends (on its timer, or at flush): what was held back is reported then. */
    private readonly onWindowEnd: () => void,
  ) {}

  /** True while the window has room (the take is counted); false once it is used up. */
  take(): boolean {
    this.timer ??= setTimeout(() => this.end(), this.windowMs).unref();
    if (this.used >= this.perWindow) return false;
    this.used++;
    return true;
  }

  /** Ends the window now (at stop). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.end();
  }

  private end(): void {
    this.timer = null;
    this.used = 0;
    this.onWindowEnd();
  }
}

/** Once per key in each window of `windowMs`; at most `maxKeys` keys remembered, the least recently passed forgotten first. */
export class OncePerKey {
  private readonly passed = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** 'first': never passed (or forgotten); 'again': its window is over; null: it passed within the window. */
  pass(key: string, now = Date.now()): 'first' | 'again' | null {
    const last = this.passed.get(key);
    if (last !== undefined && now - last < this.windowMs) return null;
    if (last === undefined && this.passed.size >= this.maxKeys) this.passed.delete(this.passed.keys().next().value!);
    this.passed.delete(key);
    this.passed.set(key, now);
    return last === undefined ? 'first' : 'again';
  }
}
