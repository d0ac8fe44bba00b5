// A flood of bad requests (a scanner, a device retrying with an old password,
// someone guessing) must not write a log line per request. Headless, the lines
// go to stdout, and under Docker's default log driver nothing rotates them: a
// server nobody watches would fill its disk in the months a flood can last. In
// the app, the log file is started afresh at 5 MB, and a flood would push out
// what happened before it. So in each window the first lines are written as they
// come, and the rest are counted by what they say and written as one line each
// when the window ends (or the server stops).
import type { Logger } from './log.js';
import { WindowQuota } from './throttle.js';

export interface LogFloodOptions {
  /** Lines written one by one per window; the rest are counted. */
  readonly perWindow: number;
  readonly windowMs: number;
}

export const DEFAULT_LOG_FLOOD: LogFloodOptions = { perWindow: 30, windowMs: 60_000 };

type Level = keyof Logger;
type Fields = Readonly<Record<string, unknown>>;

/** Distinct kinds of held line kept apart; beyond this, the rest are counted together. */
const MAX_KINDS = 20;

interface Held {
  readonly level: Level;
  readonly message: string;
  readonly httpstatus: unknown;
  count: number;
}

export class LogFloodGate implements Logger {
  private readonly held = new Map<string, Held>();
  private readonly quota: WindowQuota;

  constructor(
    private readonly logger: Logger,
    private readonly options: LogFloodOptions = DEFAULT_LOG_FLOOD,
  ) {
    this.quota = new WindowQuota(options.perWindow, options.windowMs, () => this.endWindow());
  }

  info(message: string, fields?: Fields): void {
    this.line('info', message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.line('warn', message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.line('error', message, fields);
  }

  /** Writes what is held now (at stop). */
  flush(): void {
    this.quota.flush();
  }

  private line(level: Level, message: string, fields?: Fields): void {
    if (this.quota.take()) {
      this.logger[level](message, fields);
      return;
    }
    // Counted by what the line says, not by its details (a context, an address): those are the client's to vary.
    const kind = { level, message, httpstatus: fields?.httpstatus };
    let key = `${level} ${message} ${String(kind.httpstatus)}`;
    if (!this.held.has(key) && this.held.size >= MAX_KINDS) {
      kind.message = 'other lines';
      kind.httpstatus = undefined;
      key = `${level} other`;
    }
    const entry = this.held.get(key);
    if (entry !== undefined) entry.count++;
    else this.held.set(key, { ...kind, count: 1 });
  }

  private endWindow(): void {
    const ms = this.options.windowMs;
    const window = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
    for (const { level, message, httpstatus, count } of this.held.values()) {
      this.logger[level](`${message}: ${count} more like this in the last ${window}, not written one by one`, {
        httpstatus,
        repeated: count,
      });
    }
    this.held.clear();
  }
}
