// Failed logins are reported to the activity list, but a flood of them must not
// push everything else out of it (the list keeps the last 200). In each minute
// the first few are reported one by one; the rest are counted and reported as
// one summary when the minute ends.
import type { ActivityEvent } from '../protocol.js';
import { WindowQuota } from './throttle.js';

export interface ActivityFloodOptions {
  /** Failed logins reported one by one per window. */
  readonly perWindow: number;
  readonly windowMs: number;
}

export const DEFAULT_ACTIVITY_FLOOD: ActivityFloodOptions = { perWindow: 10, windowMs: 60_000 };

export class ActivityFloodGate {
  private held = 0;
  private readonly addresses = new Set<string>();
  private readonly quota: WindowQuota;

  constructor(
    private readonly emit: (event: ActivityEvent) => void,
    options: ActivityFloodOptions = DEFAULT_ACTIVITY_FLOOD,
  ) {
    this.quota = new WindowQuota(options.perWindow, options.windowMs, () => this.endWindow());
  }

  record(event: ActivityEvent): void {
    if (event.kind !== 'login-failed') return this.emit(event);
    if (this.quota.take()) return this.emit(event);
    this.held++;
    // Bounded: the summary names at most a few addresses anyway.
    if (this.addresses.size < 100) this.addresses.add(event.clientIp);
  }

  /** Reports what is held now (at stop). */
  flush(): void {
    this.quota.flush();
  }

  private endWindow(): void {
    if (this.held > 0) {
      const addresses = [...this.addresses];
      const from = addresses.length <= 3 ? addresses.join(', ') : `${addresses.slice(0, 3).join(', ')} and others`;
      this.emit({ kind: 'login-failed', username: '', clientIp: from, at: Date.now(), count: this.held });
    }
    this.held = 0;
    this.addresses.clear();
  }
}
